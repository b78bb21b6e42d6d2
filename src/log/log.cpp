#include "log/log.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <array>
#include <iterator>

namespace learnhttpd::log {
namespace {

constexpr const char* kErrorPattern = "[%Y-%m-%d %H:%M:%S.%e] [%l] [%P] %v";

std::string g_error_target;  // what setupErrorLog last opened, for reopenErrorLog
std::string g_error_level;

std::shared_ptr<spdlog::logger> makeLogger(const std::string& name, const std::string& target,
                                           std::string& error) {
  try {
    if (target == "stderr") return spdlog::stderr_logger_mt(name);
    if (target == "stdout") return spdlog::stdout_logger_mt(name);
    return spdlog::basic_logger_mt(name, target);
  } catch (const spdlog::spdlog_ex& e) {
    error = target + ": " + e.what();
    return nullptr;
  }
}

// Builds a logger under a temporary name, so a failure leaves the registered one untouched.
std::shared_ptr<spdlog::logger> replaceLogger(const std::string& name, const std::string& target,
                                              std::string& error) {
  spdlog::drop(name + ".new");
  auto logger = makeLogger(name + ".new", target, error);
  if (!logger) return nullptr;
  spdlog::drop(name + ".new");
  return logger;
}

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

bool setupErrorLog(const std::string& target, const std::string& level, std::string& error) {
  auto logger = replaceLogger("error", target, error);
  if (!logger) return false;
  logger->set_pattern(kErrorPattern);
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);
  g_error_target = target;
  g_error_level = level;
  return true;
}

bool reopenErrorLog(std::string& error) {
  if (g_error_target.empty() || g_error_target == "stderr" || g_error_target == "stdout") return true;
  return setupErrorLog(g_error_target, g_error_level, error);
}

std::unique_ptr<AccessLog> AccessLog::open(const std::string& target, std::string& error) {
  if (target == "off") return nullptr;
  auto logger = replaceLogger("access", target, error);
  if (!logger) return nullptr;
  logger->set_pattern("%v");
  logger->flush_on(spdlog::level::trace);
  return std::unique_ptr<AccessLog>(new AccessLog(target, std::move(logger)));
}

AccessLog::AccessLog(std::string target, std::shared_ptr<spdlog::logger> logger)
    : target_(std::move(target)), logger_(std::move(logger)) {}

AccessLog::~AccessLog() = default;

void AccessLog::record(const AccessEntry& e) {
  fmt::memory_buffer line;
  fmt::format_to(std::back_inserter(line), "{} - - [{}] \"", e.peer, commonLogTime(e.when));
  appendEscaped(line, e.method);
  line.push_back(' ');
  appendEscaped(line, e.target);
  fmt::format_to(std::back_inserter(line), " HTTP/1.{}\" {} {} \"", e.version_minor, e.status,
                 e.body_bytes);
  appendEscaped(line, e.referer);
  line.append(std::string_view("\" \""));
  appendEscaped(line, e.user_agent);
  line.push_back('"');
  logger_->info(std::string_view(line.data(), line.size()));
}

bool AccessLog::reopen(std::string& error) {
  if (target_ == "stdout" || target_ == "stderr") return true;
  auto logger = replaceLogger("access", target_, error);
  if (!logger) return false;
  logger->set_pattern("%v");
  logger->flush_on(spdlog::level::trace);
  logger_ = std::move(logger);
  return true;
}

}  // namespace learnhttpd::log
