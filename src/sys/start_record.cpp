// SPDX-License-Identifier: MIT
#include "sys/start_record.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <string_view>

#include "sys/process.hpp"

namespace learnhttpd::sys {
namespace {

constexpr std::string_view kMagic = "learnhttpd-start 1";
// Far above any command line; a bigger file is not one of ours.
constexpr off_t kMaxRecordBytes = off_t{64} * 1024;

std::vector<std::string> splitFields(std::string_view text) {
  std::vector<std::string> fields;
  while (!text.empty()) {
    const std::size_t end = text.find('\0');
    fields.emplace_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return fields;
}

// sys/ includes nothing of ours (docs/architecture.md), so not base::UniqueFd.
struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

RecordLookup untrusted(const std::string& path, const std::string& why) {
  RecordLookup lookup;
  lookup.state = RecordState::Untrusted;
  lookup.error = path + ": " + why;
  return lookup;
}

bool readAll(int fd, std::string& text) {
  std::array<char, 4096> chunk{};
  for (;;) {
    const ssize_t got = ::read(fd, chunk.data(), chunk.size());
    if (got == 0) return true;
    if (got < 0 && errno != EINTR) return false;
    if (got > 0) text.append(chunk.data(), static_cast<std::size_t>(got));
    if (text.size() > static_cast<std::size_t>(kMaxRecordBytes)) return false;
  }
}

}  // namespace

std::string startRecordPath(const std::string& pid_file) {
  return pid_file + ".cmdline";
}

bool writeStartRecord(const std::string& pid_file, const std::vector<std::string>& args,
                      std::string& error) {
  std::array<char, 4096> cwd{};
  if (::getcwd(cwd.data(), cwd.size()) == nullptr) {
    error = std::string("getcwd: ") + std::strerror(errno);
    return false;
  }
  std::string text(kMagic);
  text += '\0';
  text += std::to_string(::getpid());
  text += '\0';
  text += cwd.data();
  for (const std::string& arg : args) {
    text += '\0';
    text += arg;
  }
  return replaceFile(startRecordPath(pid_file), text, 0644, error);
}

RecordLookup readStartRecord(const std::string& pid_file, pid_t pid) {
  const std::string path = startRecordPath(pid_file);
  const FdCloser fd{::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)};
  if (fd.fd < 0) {
    if (errno == ENOENT) return {};
    if (errno == ELOOP) return untrusted(path, "is a symbolic link; not used");
    return untrusted(path, std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0) return untrusted(path, std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return untrusted(path, "is not a regular file; not used");
  if (st.st_uid != ::geteuid()) {
    return untrusted(path, "belongs to uid " + std::to_string(st.st_uid) + ", not to uid " +
                               std::to_string(::geteuid()) +
                               " running -s; run -s as the user the master runs as");
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return untrusted(path, "is writable by other users; not used");
  }
  if (st.st_size > kMaxRecordBytes) return untrusted(path, "is too large to be a start record");
  std::string text;
  if (!readAll(fd.fd, text)) return untrusted(path, "cannot be read");
  std::vector<std::string> fields = splitFields(text);
  if (fields.size() < 3 || fields[0] != kMagic) {
    return untrusted(path, "is not a learnhttpd start record");
  }
  long recorded = 0;
  const auto [end, ec] =
      std::from_chars(fields[1].data(), fields[1].data() + fields[1].size(), recorded);
  if (ec != std::errc() || end != fields[1].data() + fields[1].size() || fields[2].empty() ||
      fields[2].front() != '/') {
    return untrusted(path, "is not a learnhttpd start record");
  }
  if (recorded != pid) return {};
  RecordLookup lookup;
  lookup.state = RecordState::Found;
  lookup.record.pid = pid;
  lookup.record.directory = std::move(fields[2]);
  lookup.record.args.assign(std::make_move_iterator(fields.begin() + 3),
                            std::make_move_iterator(fields.end()));
  return lookup;
}

void removeStartRecord(const std::string& pid_file) {
  const RecordLookup lookup = readStartRecord(pid_file, ::getpid());
  if (lookup.state == RecordState::Found) ::unlink(startRecordPath(pid_file).c_str());
}

}  // namespace learnhttpd::sys
