#pragma once
// The event model: one libevent loop in the worker's only thread owns the listening sockets
// and every connection; sockets are non-blocking and nothing in the loop ever blocks (file
// bodies go by sendfile from the page cache).

#include <chrono>
#include <list>
#include <memory>
#include <string>

#include "log/log.hpp"
#include "net/unique_fd.hpp"
#include "worker/http_session.hpp"
#include "worker/libevent_handles.hpp"
#include "worker/serve_context.hpp"
#include "worker/worker.hpp"

namespace learnhttpd::worker {

class EventWorker final : public Worker {
 public:
  explicit EventWorker(const WorkerContext& context);
  ~EventWorker() override;
  int run() override;

 private:
  struct Connection;
  using ConnectionList = std::list<Connection>;

  static void onAccept(evutil_socket_t fd, short what, void* arg);
  static void onReadable(evutil_socket_t fd, short what, void* arg);
  static void onWritable(evutil_socket_t fd, short what, void* arg);
  static void onLinger(evutil_socket_t fd, short what, void* arg);
  static void onSignal(evutil_socket_t signal, short what, void* arg);
  static void onShutdownTimer(evutil_socket_t fd, short what, void* arg);
  static void onHeartbeat(evutil_socket_t fd, short what, void* arg);
  void stampHeartbeat();

  void acceptFrom(int listen_fd);
  void open(net::UniqueFd fd);
  void drive(Connection& conn);
  void waitForInput(Connection& conn);
  void finish(Connection& conn);
  void close(Connection& conn);
  void shedOneConnection(int listen_fd);
  void pauseAccepting(bool paused);
  void beginGracefulStop();
  void reopenLogs();
  std::time_t now();

  WorkerContext context_;
  const config::Config& config_;
  std::unique_ptr<log::AccessLog> access_log_;
  ServeContext serve_;
  EventBasePtr base_;
  std::vector<EventPtr> listen_events_;
  std::vector<EventPtr> signal_events_;
  EventPtr shutdown_timer_;
  EventPtr heartbeat_timer_;
  ConnectionList connections_;
  net::UniqueFd spare_fd_;  // released to accept-and-close one client when out of fds
  bool accepting_paused_ = false;
  bool stopping_ = false;
};

}  // namespace learnhttpd::worker
