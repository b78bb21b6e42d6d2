// SPDX-License-Identifier: MIT
#pragma once
// WorkerLogs: a worker's side of logging, the same in every model. The access log is opened by
// the worker itself, as its own user, after privileges dropped (the master prepared the file);
// USR1 reopens it and the error log (after logrotate). Quiet mode opens no access log at all.
//
// Threads: open() and reopen() on the thread that handles the worker's signals; access() from
// any thread (the log locks itself).

#include <memory>

#include "config/config.hpp"
#include "log/log.hpp"

namespace learnhttpd::worker {

class WorkerLogs {
 public:
  // Opens the access log of `config` unless quiet; logs one critical line and returns false
  // when it cannot (the worker then exits kExitBootFailure).
  bool open(const config::Config& config, unsigned slot);
  // USR1: both logs, each kept on its old file when its reopen fails (logged).
  void reopen() const;
  // The access log, or nullptr: quiet mode, or access_log: off.
  log::AccessLog* access() const noexcept { return access_.get(); }

 private:
  std::unique_ptr<log::AccessLog> access_;
  unsigned slot_ = 0;
};

}  // namespace learnhttpd::worker
