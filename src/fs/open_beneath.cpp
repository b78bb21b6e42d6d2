// SPDX-License-Identifier: MIT
#include "fs/open_beneath.hpp"

#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <vector>

#include "base/unique_fd.hpp"

namespace learnhttpd::fs {
namespace {

constexpr int kOpenFlags = O_RDONLY | O_CLOEXEC | O_NONBLOCK;
constexpr int kMaxSymlinks = 40;  // the kernel's own limit (MAXSYMLINKS)

long callOpenat2(int dir, const char* relative, int flags) noexcept {
  open_how how{};
  how.flags = static_cast<std::uint64_t>(flags);
  // RESOLVE_BENEATH refuses any step outside `dir` (EXDEV); no magic links (/proc/self/fd/N).
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  for (;;) {
    long fd = ::syscall(SYS_openat2, dir, relative, &how, sizeof how);
    if (fd >= 0 || errno != EINTR) return fd;
  }
}

int openAt(int dir, const char* name, int flags) noexcept {
  for (;;) {
    int fd = ::openat(dir, name, flags);
    if (fd >= 0 || errno != EINTR) return fd;
  }
}

int fail(int err) noexcept {
  errno = err;
  return -1;
}

}  // namespace

int openBeneath(int dir, const char* relative, Resolver resolver) {
  if (resolver == Resolver::Walk) return openBeneathWalk(dir, relative);
  return static_cast<int>(callOpenat2(dir, relative, kOpenFlags));
}

int openBeneathWalk(int dir, std::string_view relative) {
  std::vector<base::UniqueFd> entered;  // directories below `dir` on the way, for ".."
  auto current = [&] { return entered.empty() ? dir : entered.back().get(); };
  std::string path(relative);
  std::size_t pos = 0;
  int symlinks = 0;
  for (;;) {
    while (pos < path.size() && path[pos] == '/') ++pos;
    if (pos == path.size()) return openAt(current(), ".", kOpenFlags);  // "", ".", "a/.."
    const std::size_t end = std::min(path.find('/', pos), path.size());
    const std::string name = path.substr(pos, end - pos);
    std::size_t next = end;
    while (next < path.size() && path[next] == '/') ++next;
    const bool last = next == path.size();
    const bool want_dir = end < path.size();  // a slash follows: must be a directory
    pos = next;
    if (name == ".") {
      if (last) return openAt(current(), ".", kOpenFlags);
      continue;
    }
    if (name == "..") {
      if (entered.empty()) return fail(EXDEV);  // would climb above `dir`
      entered.pop_back();
      if (last) return openAt(current(), ".", kOpenFlags);
      continue;
    }
    base::UniqueFd step(openAt(current(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!step) return -1;
    struct stat st {};
    if (::fstat(step.get(), &st) != 0) return -1;
    if (S_ISLNK(st.st_mode)) {
      if (++symlinks > kMaxSymlinks) return fail(ELOOP);
      char target[PATH_MAX];
      const ssize_t n = ::readlinkat(step.get(), "", target, sizeof target);
      if (n < 0) return -1;
      if (n == 0) return fail(ENOENT);
      if (static_cast<std::size_t>(n) == sizeof target) return fail(ENAMETOOLONG);
      if (target[0] == '/') return fail(EXDEV);  // absolute: leaves `dir` by definition
      // The link's text replaces its name; what followed it (and a trailing slash) stays.
      path = std::string(target, static_cast<std::size_t>(n)) + path.substr(end);
      pos = 0;
      continue;
    }
    if (!last) {
      if (!S_ISDIR(st.st_mode)) return fail(ENOTDIR);
      entered.push_back(std::move(step));
      continue;
    }
    // The final component, opened by name for reading. O_NOFOLLOW: a symlink swapped in since
    // the step above fails (ELOOP) instead of being followed unchecked.
    return openAt(current(), name.c_str(), kOpenFlags | O_NOFOLLOW | (want_dir ? O_DIRECTORY : 0));
  }
}

Resolver probeOpenat2(int dir, std::string& why) {
  const long fd = callOpenat2(dir, ".", O_RDONLY | O_CLOEXEC | O_DIRECTORY);
  if (fd >= 0) {
    ::close(static_cast<int>(fd));
    return Resolver::Openat2;
  }
  const int err = errno;
  if (err != ENOSYS && err != EPERM && err != EINVAL && err != E2BIG) return Resolver::Openat2;
  why = std::string("openat2 is unavailable (") + std::strerror(err) +
        "); resolving paths under the document root component by component instead";
  return Resolver::Walk;
}

}  // namespace learnhttpd::fs
