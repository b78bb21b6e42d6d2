// SPDX-License-Identifier: MIT
#include "log/log.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <array>
#include <cerrno>
#include <iterator>
#include <mutex>

#include "log/journal_sink.hpp"
#include "log/log_file.hpp"

namespace learnhttpd::log {
namespace {

constexpr const char* kErrorPattern = "[%Y-%m-%d %H:%M:%S.%e] [%l] [%P] %v";

std::string g_error_target;  // what setupErrorLog last opened, for reopenErrorLog
uid_t g_error_workers = 0;   // ... and the workers' user it was kept for

// Writes all of `size` bytes (O_APPEND: one write(2) per line keeps the lines of master and
// workers whole in a shared file). A line that cannot be written is dropped: there is no log
// left to report it to.
void writeAll(int fd, const char* data, std::size_t size) noexcept {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

// "stdout"/"stderr" are the process's own fds 1 and 2 (not owned: after daemonize they point
// at /dev/null, as the old stream loggers did); anything else is a file opened under the rules
// of log_file.hpp.
bool openTarget(const std::string& target, uid_t workers, base::UniqueFd& owned, int& fd,
                std::string& error) {
  owned.reset();
  if (target == "stdout" || target == "stderr") {
    fd = target == "stdout" ? STDOUT_FILENO : STDERR_FILENO;
    return true;
  }
  owned = openLogFile(target, workers, error);
  fd = owned.get();
  return static_cast<bool>(owned);
}

// The error log's one sink for the life of the process. spdlog's default logger is read by
// every thread without a lock, so it is never replaced after start-up; a reopen swaps the fd
// under the sink's own mutex instead, which every write already takes.
class FdSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  void replace(base::UniqueFd owned, int fd) {
    base::UniqueFd old;
    {
      std::lock_guard lock(mutex_);
      old = std::exchange(owned_, std::move(owned));
      fd_ = fd;
    }
  }  // the old file is closed outside the lock

 private:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t line;
    formatter_->format(msg, line);
    writeAll(fd_, line.data(), line.size());
  }
  void flush_() override {}  // write(2) is unbuffered

  base::UniqueFd owned_;
  int fd_ = STDERR_FILENO;
};

std::shared_ptr<FdSink> g_error_sink;  // set once, by the first setupErrorLog

// "[23/Nov/2026:13:37:15 +0000]"-style time, formatted once a second per thread.
std::string_view commonLogTime(std::time_t when) {
  thread_local std::time_t cached = -1;
  thread_local std::array<char, 32> text{};
  thread_local std::size_t length = 0;
  if (when != cached) {
    std::tm tm{};
    gmtime_r(&when, &tm);
    length = std::strftime(text.data(), text.size(), "%d/%b/%Y:%H:%M:%S +0000", &tm);
    cached = when;
  }
  return {text.data(), length};
}

// Client-controlled text goes into the log as nginx writes it: '"', '\\' and non-printable
// bytes as \xHH, so no request can forge a log line or break the quoting.
void appendEscaped(fmt::memory_buffer& out, std::string_view text) {
  if (text.empty()) {
    out.push_back('-');
    return;
  }
  constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7f || c == '"' || c == '\\') {
      const char escaped[4] = {'\\', 'x', kHex[byte >> 4], kHex[byte & 0xf]};
      out.append(escaped, escaped + 4);
    } else {
      out.push_back(c);
    }
  }
}

}  // namespace

bool setupErrorLog(const std::string& target, const std::string& level, uid_t workers,
                   std::string& error) {
  base::UniqueFd owned;
  int fd = -1;
  if (!openTarget(target, workers, owned, fd, error)) return false;
  if (!g_error_sink) {
    g_error_sink = std::make_shared<FdSink>();
    auto logger = std::make_shared<spdlog::logger>("error", g_error_sink);
    logger->set_pattern(kErrorPattern);
    spdlog::set_default_logger(std::move(logger));
  }
  g_error_sink->replace(std::move(owned), fd);
  if (target == "stderr" && stderrIsJournalStream()) {  // under systemd: journald's priorities
    g_error_sink->set_formatter(makeJournalFormatter());
  } else {
    g_error_sink->set_pattern(kErrorPattern);
  }
  spdlog::default_logger_raw()->set_level(spdlog::level::from_str(level));
  g_error_target = target;
  g_error_workers = workers;
  return true;
}

bool reopenErrorLog(std::string& error) {
  if (!g_error_sink || !isFilePath(g_error_target)) return true;
  base::UniqueFd owned;
  int fd = -1;
  if (!openTarget(g_error_target, g_error_workers, owned, fd, error)) return false;
  g_error_sink->replace(std::move(owned), fd);
  return true;
}

std::unique_ptr<AccessLog> AccessLog::open(const std::string& target, std::string& error) {
  if (target == "off") return nullptr;
  std::unique_ptr<AccessLog> log(new AccessLog(target));
  if (!openTarget(target, ::geteuid(), log->owned_, log->fd_, error)) return nullptr;
  return log;
}

AccessLog::AccessLog(std::string target) : target_(std::move(target)) {}

AccessLog::~AccessLog() = default;

void AccessLog::record(const AccessEntry& e) {
  fmt::memory_buffer line;
  fmt::format_to(std::back_inserter(line), "{} - - [{}] \"", e.peer, commonLogTime(e.when));
  appendEscaped(line, e.method);
  line.push_back(' ');
  appendEscaped(line, e.target);
  fmt::format_to(std::back_inserter(line), " HTTP/{}.{}\" {} {} \"", e.version_major,
                 e.version_minor, e.status, e.body_bytes);
  appendEscaped(line, e.referer);
  line.append(std::string_view("\" \""));
  appendEscaped(line, e.user_agent);
  line.append(std::string_view("\"\n"));
  std::lock_guard lock(mutex_);
  writeAll(fd_, line.data(), line.size());
}

bool AccessLog::reopen(std::string& error) {
  if (!isFilePath(target_)) return true;
  base::UniqueFd owned;
  int fd = -1;
  if (!openTarget(target_, ::geteuid(), owned, fd, error)) return false;
  {
    std::lock_guard lock(mutex_);
    std::swap(owned_, owned);
    fd_ = fd;
  }
  return true;  // the old file is closed here, outside the lock
}

}  // namespace learnhttpd::log
