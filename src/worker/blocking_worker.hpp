// SPDX-License-Identifier: MIT
#pragma once
// The process-based blocking models (docs/models.md). Both serve each connection with the
// blocking driver (serveConnection) and differ only in who calls it:
//   BlockingWorker             the worker process itself: wait for a connection, accept, serve
//                              it to its end, next. `-w 1` is the classic iterative server (one
//                              client at a time; the next waits in the backlog), `-w N` classic
//                              prefork (N at a time).
//   ProcessPerConnectionWorker the worker accepts and fork()s a child per connection (the CGI
//                              way). Children count against max_connections (at the bound new
//                              connections wait in the backlog), are reaped on SIGCHLD, get QUIT
//                              or TERM forwarded, are KILLed if still there after the fast-stop
//                              grace, and die with the worker (PR_SET_PDEATHSIG). USR1 is
//                              forwarded too: a child lives as long as its connection, and a
//                              keep-alive connection may outlive a log rotation by hours.
// "Waiting for a connection" is a poll() on the (shared, non-blocking) listening sockets beside
// the stop descriptors, then accept4(): the listening sockets are shared with every worker and
// every generation, so their O_NONBLOCK flag is never changed (ModelControl has the rest).
// Single-threaded: everything runs on the control thread.

#include <sys/types.h>

#include <vector>

#include "protocol/session_context.hpp"
#include "worker/model_control.hpp"
#include "worker/worker.hpp"

namespace learnhttpd::worker {

class BlockingWorker final : public Worker {
 public:
  explicit BlockingWorker(const WorkerContext& context);
  int run() override;

 private:
  protocol::SessionContext serve_;
  ModelControl control_;
};

class ProcessPerConnectionWorker final : public Worker {
 public:
  explicit ProcessPerConnectionWorker(const WorkerContext& context);
  int run() override;

 private:
  void forkChild(base::UniqueFd fd);
  [[noreturn]] void runChild(base::UniqueFd fd, pid_t parent);
  void reap();
  void stopChildren();
  void signalChildren(int signal);

  protocol::SessionContext serve_;
  ModelControl control_;
  std::vector<pid_t> children_;
};

}  // namespace learnhttpd::worker
