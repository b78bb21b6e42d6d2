// SPDX-License-Identifier: MIT
#include "worker/worker_logs.hpp"

#include <string>

#include <spdlog/spdlog.h>

namespace learnhttpd::worker {

bool WorkerLogs::open(const config::Config& config, unsigned slot) {
  slot_ = slot;
  if (config.log.quiet) return true;
  std::string error;
  access_ = log::AccessLog::open(config.log.access_log, error);
  if (!error.empty()) {
    spdlog::critical("worker {}: cannot open access log {}", slot, error);
    return false;
  }
  return true;
}

void WorkerLogs::reopen() const {
  std::string error;
  if (!log::reopenErrorLog(error)) spdlog::error("worker {}: {}", slot_, error);
  if (access_ && !access_->reopen(error)) {
    spdlog::error("worker {}: cannot reopen access log {}", slot_, error);
  }
}

}  // namespace learnhttpd::worker
