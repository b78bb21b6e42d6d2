// SPDX-License-Identifier: MIT
#pragma once
// The event model: one libevent loop in the worker's only thread owns the listening sockets
// and every connection; sockets are non-blocking and nothing in the loop ever blocks (file
// bodies go by sendfile from the page cache). Accept, signals and stopping are WorkerLoop's;
// this class only drives connections.

#include <chrono>
#include <ctime>
#include <list>
#include <string>
#include <vector>

#include "base/unique_fd.hpp"
#include "protocol/session.hpp"
#include "protocol/session_context.hpp"
#include "worker/libevent_handles.hpp"
#include "worker/worker.hpp"
#include "worker/worker_loop.hpp"

namespace learnhttpd::worker {

class EventWorker final : public Worker, private WorkerLoop::Model {
 public:
  explicit EventWorker(const WorkerContext& context);
  ~EventWorker() override;
  int run() override;

 private:
  struct Connection;
  using ConnectionList = std::list<Connection>;

  // WorkerLoop::Model
  void accepted(base::UniqueFd fd, std::string peer, bool tls) override;
  void gracefulStop() override;
  void fastStop() override {}  // connections are closed by the destructor
  void endOfBatch() override;

  static void onReadable(evutil_socket_t fd, short what, void* arg);
  static void onVerified(evutil_socket_t fd, short what, void* arg);
  static void onWritable(evutil_socket_t fd, short what, void* arg);
  void continueHandshake(Connection& conn);
  void drive(Connection& conn);
  void waitForInput(Connection& conn);
  void await(Connection& conn, short what, std::chrono::milliseconds timeout);
  void finish(Connection& conn);
  void close(Connection& conn);

  const config::Config& config_;
  protocol::SessionContext serve_;
  WorkerLoop loop_;
  ConnectionList connections_;      // declared after loop_: destroyed first, their events with them
  std::vector<Connection*> batch_;  // read input in this batch, answered in endOfBatch()
  // Basic auth: credentials are verified off the loop (serve::CredentialChecks' thread); a
  // connection whose answer waits for one is here until the thread's wake-up comes.
  std::vector<Connection*> awaiting_;
  EventPtr verified_;  // the wake-up descriptor, when some site has auth
};

}  // namespace learnhttpd::worker
