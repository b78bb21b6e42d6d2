// SPDX-License-Identifier: MIT
#pragma once
// WorkerLoop: the part of a worker process that both models share, so it exists once.
// It owns the libevent loop of the worker's loop thread and everything around connections
// that is not the connections' own business: the listening sockets, accept with spare-fd
// shedding on EMFILE, the max_connections limit, the signals (TERM/INT fast stop, QUIT
// graceful stop, USR1 reopen logs), the heartbeat, the shutdown timer and lingering closes.
// A worker model plugs in through WorkerLoop::Model and drives its connections itself.
//
// Threads: every member must be called on the loop thread (the one that calls open() and
// run()); none is safe to call from another thread. Model callbacks run on the loop thread.
//
// Listening sockets: the worker's inherited copies stay open until a graceful stop begins;
// then the loop closes them (the master holds its own copies). They are watched with
// EPOLLEXCLUSIVE in the loop's own epoll instance (ExclusiveAccept), so that of several idle
// workers one wakes for a new connection, not all; where that cannot work, with plain events.
// While not accepting (max_connections, the model busy, stopping) they are not watched at all.
//
// Connection accounting: each accepted connection counts against max_connections from the
// moment it is handed to Model::accepted() until the model calls connectionClosed() or hands
// the socket to linger() (which then closes it and does the accounting itself).

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/unique_fd.hpp"
#include "protocol/session_context.hpp"
#include "worker/acceptor.hpp"
#include "worker/exclusive_accept.hpp"
#include "worker/libevent_handles.hpp"
#include "worker/worker.hpp"
#include "worker/worker_logs.hpp"

namespace learnhttpd::worker {

class WorkerLoop {
 public:
  class Model {
   public:
    // A new non-blocking, close-on-exec connection with TCP_NODELAY (inherited from the
    // listening socket), already counted. `peer` is the client's address for the access log;
    // empty in quiet mode. `tls`: it came to a TLS listener (start the handshake with
    // WorkerLoop::tlsContext()).
    virtual void accepted(base::UniqueFd fd, std::string peer, bool tls) = 0;
    // QUIT: listening has stopped and the shutdown timer runs. Let in-flight answers finish,
    // give idle keep-alive connections a short last call; the loop returns once every
    // connection is closed (or at shutdown_timeout).
    virtual void gracefulStop() = 0;
    // TERM/INT, or shutdown_timeout reached: the loop returns after this callback. Anything
    // that could keep the process from exiting promptly must be told to stop here.
    virtual void fastStop() = 0;
    // After every batch of callbacks one wait for events produced (one epoll_wait's worth):
    // work that is cheaper done once per batch than once per connection.
    virtual void endOfBatch() {}

   protected:
    ~Model() = default;
  };

  // `serve` gets its access log and its counters (the status board's) when open() succeeds;
  // both must outlive the loop.
  WorkerLoop(const WorkerContext& context, protocol::SessionContext& serve, Model& model);
  ~WorkerLoop();
  WorkerLoop(const WorkerLoop&) = delete;
  WorkerLoop& operator=(const WorkerLoop&) = delete;

  // Opens the access log, the event base (with the libevent `required_features`, e.g.
  // EV_FEATURE_ET), the listening and signal events. Signals stay blocked. On failure logs one
  // line and returns false (the worker exits kExitBootFailure).
  bool open(int required_features = 0);
  // Unblocks signals in the calling thread (the Worker::run contract: only the loop thread
  // ever has them unblocked), stamps the first heartbeat and runs until the worker must stop.
  void run();

  event_base* base() const noexcept { return base_.get(); }
  // Wall-clock seconds, cached by the loop once per iteration.
  std::time_t now();
  bool stopping() const noexcept { return stopping_; }
  unsigned slot() const noexcept { return context_.slot; }
  // The worker's slot of the status board (shared with the master), or nullptr.
  WorkerStatus* status() const noexcept { return context_.status; }
  // The TLS context of the worker's TLS listeners; nullptr when there are none.
  const tls::ServerContext* tlsContext() const noexcept { return context_.tls; }

  // The model closed one connection.
  void connectionClosed();
  // Closes a connection after its last answer without destroying that answer: shuts down our
  // side, discards what the client still sends for a short while, then closes. The caller must
  // have freed its own libevent events on `fd` already.
  void linger(base::UniqueFd fd);
  // Back-pressure from the model (the thread pool's queue is full): while busy, no new
  // connection is accepted; they wait in the kernel's backlog.
  void setBusy(bool busy);

 private:
  struct Lingering;

  static void onAccept(evutil_socket_t fd, short what, void* arg);
  static void onSignal(evutil_socket_t signal, short what, void* arg);
  static void onShutdownTimer(evutil_socket_t fd, short what, void* arg);
  static void onHeartbeat(evutil_socket_t fd, short what, void* arg);
  static void onLinger(evutil_socket_t fd, short what, void* arg);
  void acceptFrom(int listen_fd);
  void handOver(base::UniqueFd fd, bool tls);
  void updateListening();
  void beginGracefulStop();
  void stopNow();
  void stampHeartbeat();
  void trimHeapWhenQuiet();
  void publishConnections();  // open_ into the status board
  void endLinger(std::list<Lingering>::iterator it);

  WorkerContext context_;
  protocol::SessionContext& serve_;
  Model& model_;
  WorkerLogs logs_;
  std::optional<Acceptor> acceptor_;  // made by open(), once it knows whether peers are logged
  EventBasePtr base_;
  ExclusiveAccept exclusive_;            // the listening sockets, or else:
  std::vector<EventPtr> listen_events_;  // plain events on them
  std::vector<EventPtr> signal_events_;
  EventPtr shutdown_timer_;
  EventPtr heartbeat_timer_;
  std::list<Lingering> lingering_;
  std::size_t open_ = 0;     // connections counted against max_connections
  std::uint64_t requests_at_last_beat_ = 0;
  bool heap_used_since_trim_ = false;
  bool listening_ = false;
  bool busy_ = false;
  bool stopping_ = false;
};

}  // namespace learnhttpd::worker
