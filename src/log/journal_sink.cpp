// SPDX-License-Identifier: MIT
#include "log/journal_sink.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include <spdlog/formatter.h>
#include <spdlog/spdlog.h>

namespace learnhttpd::log {
namespace {

// The numbers of sd-daemon.h's SD_CRIT..SD_DEBUG, which are syslog's.
char priorityDigit(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::critical:
      return '2';
    case spdlog::level::err:
      return '3';
    case spdlog::level::warn:
      return '4';
    case spdlog::level::info:
      return '6';
    default:
      return '7';
  }
}

// journald splits a stream at newlines and reads a leading "<N>" as the line's priority, so a
// multi-line message gets the prefix on each of its lines.
class JournalFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const std::string_view text(msg.payload.data(), msg.payload.size());
    const char prefix[3] = {'<', priorityDigit(msg.level), '>'};
    std::size_t start = 0;
    do {
      std::size_t end = text.find('\n', start);
      if (end == std::string_view::npos) end = text.size();
      dest.append(prefix, prefix + 3);
      dest.append(text.data() + start, text.data() + end);
      dest.push_back('\n');
      start = end + 1;
    } while (start < text.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JournalFormatter>();
  }
};

}  // namespace

bool stderrIsJournalStream() {
  return isJournalStream(STDERR_FILENO);
}

bool isJournalStream(int fd) {
  const char* value = std::getenv("JOURNAL_STREAM");
  if (value == nullptr) return false;
  std::uintmax_t device = 0;
  std::uintmax_t inode = 0;
  if (std::sscanf(value, "%" SCNuMAX ":%" SCNuMAX, &device, &inode) != 2) return false;
  struct stat st {};
  if (::fstat(fd, &st) != 0) return false;
  return st.st_dev == device && st.st_ino == inode;
}

const char* stderrErrorPrefix() {
  static const bool journal = stderrIsJournalStream();
  return journal ? "<3>" : "";
}

const char* stderrCriticalPrefix() {
  static const bool journal = stderrIsJournalStream();
  return journal ? "<2>" : "";
}

std::unique_ptr<spdlog::formatter> makeJournalFormatter() {
  return std::make_unique<JournalFormatter>();
}

}  // namespace learnhttpd::log
