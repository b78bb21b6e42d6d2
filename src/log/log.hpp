// SPDX-License-Identifier: MIT
#pragma once
// Logging set-up with spdlog: the error log (spdlog's default logger, used through the spdlog
// macros/functions by master and workers) and the access log (one line per request, combined
// format). Not for use in signal handlers.
//
// Files are opened under the rules of log/log_file.hpp (no symlink followed, no directory
// created, nothing handed over that another user could have planted). Each log keeps one
// writer object for its whole life and a reopen only swaps the file descriptor inside it, under
// the lock every write takes: threads that are logging never see a writer being replaced.
//
// Threads: setupErrorLog, reopenErrorLog and AccessLog::reopen are called from one thread at a
// time (start-up, the master's loop, a worker's loop thread on USR1), and are safe while other
// threads log or record.

#include <sys/types.h>

#include <cstdint>
#include <ctime>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "base/unique_fd.hpp"

namespace learnhttpd::log {

// Points the error log at "stderr", "stdout" or a file (appended), at `level` (trace, debug,
// info, warn, error, critical, off); `workers` is the user the file is kept for (see
// log_file.hpp; a reopen keeps it). Returns false and fills `error` when the file cannot be
// opened or is refused; the log then stays where it was.
bool setupErrorLog(const std::string& target, const std::string& level, uid_t workers,
                   std::string& error);

// Re-opens the error log file (after logrotate moved it); a no-op for stderr/stdout. On failure
// the log stays on the file it had.
bool reopenErrorLog(std::string& error);

struct AccessEntry {
  std::string_view peer;    // client address
  std::string_view method;  // as sent
  std::string_view target;  // as sent
  int version_major = 1;    // "HTTP/2.0" for HTTP/2, as nginx writes it
  int version_minor = 1;
  int status = 0;
  std::uint64_t body_bytes = 0;  // body bytes of the response
  std::string_view referer;      // "-" when empty
  std::string_view user_agent;   // "-" when empty
  std::time_t when = 0;
};

// The access log. Lines are written in the combined format:
//   127.0.0.1 - - [23/Nov/2026:13:37:15 +0000] "GET /a HTTP/1.1" 200 5 "-" "curl/7.88"
class AccessLog {
 public:
  // "stdout", "stderr" or a file path (appended, created 0640). "off" -> nullptr, no error;
  // nullptr with `error` filled when the file cannot be opened or is refused. Opened by the
  // workers themselves, as their own user.
  static std::unique_ptr<AccessLog> open(const std::string& target, std::string& error);
  ~AccessLog();
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  // Any thread. One write(2) per line, under mutex_ (held only for that write).
  void record(const AccessEntry& entry);
  // Re-opens a file target (USR1); false + error when it cannot be opened (old file kept).
  // Safe while other threads record().
  bool reopen(std::string& error);

 private:
  explicit AccessLog(std::string target);
  std::string target_;
  std::mutex mutex_;      // guards owned_ and fd_ against a reopen
  base::UniqueFd owned_;  // the file; empty for stdout/stderr
  int fd_ = -1;           // where lines go: owned_ or fd 1/2
};

}  // namespace learnhttpd::log
