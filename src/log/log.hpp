#pragma once
// Logging set-up with spdlog: the error log (spdlog's default logger, used through the spdlog
// macros/functions by master and workers) and the access log (one line per request, combined
// format). Not for use in signal handlers. Call these from one thread (start-up, or the loop
// thread on USR1); logging itself is thread-safe.

#include <cstdint>
#include <ctime>
#include <memory>
#include <string>
#include <string_view>

namespace spdlog {
class logger;
}

namespace learnhttpd::log {

// Points the error log at "stderr", "stdout" or a file (appended), at `level` (trace, debug,
// info, warn, error, critical, off). Returns false and fills `error` when the file cannot be
// opened; the previous logger then stays in place.
bool setupErrorLog(const std::string& target, const std::string& level, std::string& error);

// Re-opens the error log file (after logrotate moved it); a no-op for stderr/stdout.
bool reopenErrorLog(std::string& error);

struct AccessEntry {
  std::string_view peer;         // client address
  std::string_view method;       // as sent
  std::string_view target;       // as sent
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
  // "stdout", "stderr" or a file path (appended, created 0640). "off" -> nullptr, no error.
  static std::unique_ptr<AccessLog> open(const std::string& target, std::string& error);
  ~AccessLog();
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  void record(const AccessEntry& entry);
  // Re-opens a file target (USR1); false + error when it cannot be opened (old file kept).
  bool reopen(std::string& error);

 private:
  AccessLog(std::string target, std::shared_ptr<spdlog::logger> logger);
  std::string target_;
  std::shared_ptr<spdlog::logger> logger_;  // spdlog's API hands out shared_ptr
};

}  // namespace learnhttpd::log
