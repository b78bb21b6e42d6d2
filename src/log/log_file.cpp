// SPDX-License-Identifier: MIT
#include "log/log_file.hpp"

#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <vector>

namespace learnhttpd::log {
namespace {

constexpr int kMaxSymlinks = 40;  // the kernel's own limit before ELOOP
constexpr int kCreateAttempts = 3;
// O_NONBLOCK: opening a FIFO for writing would otherwise wait for a reader, and a planted FIFO
// would hang the master. Cleared again once the file is accepted.
constexpr int kAppendFlags = O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;

// Check: what -t reports, as the master. CheckAsWorkers: run as the workers' user (by -t and
// at start, in a child that switched to it), whether that user can reach the file and write
// it once the master has prepared it. Append, Prepare: see the header.
enum class Mode { Check, CheckAsWorkers, Append, Prepare };
enum class Step { Done, Failed, Followed };

// Only root or this process's user can add, remove or replace entries in it.
bool trustedDirectory(const struct stat& st) noexcept {
  if (st.st_uid != 0 && st.st_uid != ::geteuid()) return false;
  if ((st.st_mode & S_IWOTH) != 0) return false;
  return (st.st_mode & S_IWGRP) == 0 || st.st_gid == 0;
}

std::string userName(uid_t uid) {
  passwd entry{};
  passwd* found = nullptr;
  std::vector<char> buf(16384);
  if (::getpwuid_r(uid, &entry, buf.data(), buf.size(), &found) == 0 && found != nullptr) {
    return found->pw_name;
  }
  return "uid " + std::to_string(uid);
}

std::string groupName(gid_t gid) {
  group entry{};
  group* found = nullptr;
  std::vector<char> buf(16384);
  if (::getgrgid_r(gid, &entry, buf.data(), buf.size(), &found) == 0 && found != nullptr) {
    return found->gr_name;
  }
  return "gid " + std::to_string(gid);
}

// Why the directory that holds a log file is refused, or empty: someone other than root, this
// process's user and the workers' user could add, remove or replace names in it. An owner can
// always make a directory writable, so the owner counts whatever the mode says.
std::string strangerWrites(const struct stat& st, uid_t workers) {
  if ((st.st_mode & S_IWOTH) != 0) return "can be written by every user";
  if ((st.st_mode & S_IWGRP) != 0 && st.st_gid != 0) {
    return "can be written by group " + groupName(st.st_gid);
  }
  if (st.st_uid != 0 && st.st_uid != ::geteuid() && st.st_uid != workers) {
    return "belongs to " + userName(st.st_uid) + ", who is neither root nor the workers' user";
  }
  return {};
}

std::string modeText(mode_t mode) {
  std::array<char, 8> text{};
  (void)std::snprintf(text.data(), text.size(), "%04o", static_cast<unsigned>(mode & 07777));
  return text.data();
}

std::deque<std::string> components(std::string_view path) {
  std::deque<std::string> parts;
  std::size_t begin = 0;
  while (begin <= path.size()) {
    std::size_t end = path.find('/', begin);
    if (end == std::string_view::npos) end = path.size();
    if (end > begin) parts.emplace_back(path.substr(begin, end - begin));
    begin = end + 1;
  }
  return parts;
}

// One resolution of one path: a walk from "/" or "." down to the file, with the directory in
// hand at each step (an fd, so nothing can be swapped under it between steps).
class Resolver {
 public:
  Resolver(const std::string& path, uid_t workers, std::string& error)
      : path_(path), workers_(workers), error_(error) {}

  // Check*: `fd` stays invalid (nothing is opened for writing). Append/Prepare: `fd` is the
  // accepted file, opened for appending.
  bool run(Mode mode, base::UniqueFd& fd) {
    todo_ = components(path_);
    if (path_.empty() || todo_.empty()) return refuse("does not name a file");
    if (!restart(path_.front() == '/')) return false;
    for (;;) {
      while (todo_.size() > 1) {
        std::string name = std::move(todo_.front());
        todo_.pop_front();
        if (name != "." && !enter(name)) return false;
      }
      if (!directoryAllowed()) return false;
      Step step = isCheck(mode) ? checkFile(mode) : openFile(mode, fd);
      if (step != Step::Followed) return step == Step::Done;
    }
  }

  // The directory reached when run() returned true: the one that holds the file.
  const std::string& directory() const noexcept { return where_; }

 private:
  static bool isCheck(Mode mode) noexcept {
    return mode == Mode::Check || mode == Mode::CheckAsWorkers;
  }

  bool refuse(const std::string& reason) {
    error_ = path_ + ": " + reason;
    return false;
  }
  bool refuseErrno(const std::string& what) {
    return refuse(what.empty() ? std::strerror(errno) : what + ": " + std::strerror(errno));
  }
  std::string shown(const std::string& name) const {
    return where_ == "/" ? "/" + name : where_ + "/" + name;
  }
  // How a message names `name`: not at all when it is the file the path itself names (the
  // message starts with the path), else by the path walked to it.
  std::string subject(const std::string& name, bool final) const {
    return final && links_ == 0 ? std::string() : shown(name);
  }
  std::string lead(const std::string& name, bool final) const {
    std::string text = subject(name, final);
    return text.empty() ? text : text + " ";
  }

  bool restart(bool absolute) {
    dir_.reset(::open(absolute ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC));
    where_.assign(1,
                  absolute ? '/' : '.');  // not a literal: GCC 12 -Wrestrict false positive at -O2+
    struct stat st {};
    if (!dir_ || ::fstat(dir_.get(), &st) != 0) return refuseErrno(where_);
    trusted_ = trustedDirectory(st);
    return true;
  }

  bool enter(const std::string& name) {
    base::UniqueFd next(::openat(dir_.get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!next && errno == ENOENT) return refuse("directory " + shown(name) + " does not exist");
    struct stat st {};
    if (!next || ::fstat(next.get(), &st) != 0) return refuseErrno(shown(name));
    if (S_ISLNK(st.st_mode)) return follow(name, false);
    if (!S_ISDIR(st.st_mode)) return refuse(shown(name) + " is not a directory");
    dir_ = std::move(next);
    trusted_ = trustedDirectory(st);
    where_ = shown(name);
    return true;
  }

  // A link is the administrator's only where only root (or we) could have put it.
  bool follow(const std::string& name, bool final) {
    if (!trusted_) {
      return refuse(lead(name, final) +
                    "is a symbolic link in a directory that other users "
                    "can write; refusing to follow it");
    }
    if (++links_ > kMaxSymlinks) return refuse("too many symbolic links");
    char target[PATH_MAX];
    ssize_t n = ::readlinkat(dir_.get(), name.c_str(), target, sizeof target);
    if (n < 0) return refuseErrno(shown(name));
    if (static_cast<std::size_t>(n) == sizeof target)
      return refuse(shown(name) + ": link too long");
    std::string_view text(target, static_cast<std::size_t>(n));
    std::deque<std::string> parts = components(text);
    todo_.insert(todo_.begin(), parts.begin(), parts.end());
    if (todo_.empty()) return refuse("does not name a file");
    return text.front() == '/' ? restart(true) : true;
  }

  Step followFinal() {
    std::string name = std::move(todo_.front());
    todo_.pop_front();
    return follow(name, true) ? Step::Followed : Step::Failed;
  }

  bool finalNameOk() {
    const std::string& name = todo_.front();
    return name != "." && name != ".." ? true : refuse("names a directory, not a file");
  }

  // The rule for the directory that holds the file (see the header): one verdict at start,
  // reload, reopen and -t, whoever owns the files in it by then.
  bool directoryAllowed() {
    struct stat st {};
    if (::fstat(dir_.get(), &st) != 0) return refuseErrno(where_);
    std::string why = strangerWrites(st, workers_);
    if (why.empty()) return true;
    return refuse("directory " + where_ + " " + why + " (" + userName(st.st_uid) + ":" +
                  groupName(st.st_gid) + ", mode " + modeText(st.st_mode) +
                  "); a log directory must be writable only by root or the workers' user: "
                  "chown root:adm " +
                  where_ + " && chmod 0755 " + where_ + " (the Debian layout)");
  }

  // What an untrusted directory may hold under a log name.
  bool acceptable(const struct stat& st, const std::string& name) {
    if (trusted_) return true;
    if (!S_ISREG(st.st_mode)) return refuse(lead(name, true) + "is not a regular file");
    if (st.st_nlink != 1) {
      return refuse(lead(name, true) + "has " + std::to_string(st.st_nlink) + " hard links");
    }
    struct stat dir {};
    if (::fstat(dir_.get(), &dir) != 0) return refuseErrno(where_);
    if (st.st_uid != 0 && st.st_uid != ::geteuid() && st.st_uid != workers_ &&
        st.st_uid != dir.st_uid) {
      return refuse(lead(name, true) + "is owned by uid " + std::to_string(st.st_uid) +
                    ", neither root nor the owner of " + where_);
    }
    return true;
  }

  Step checkFile(Mode mode) {
    if (!finalNameOk()) return Step::Failed;
    const std::string& name = todo_.front();
    base::UniqueFd fd(::openat(dir_.get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!fd && errno == ENOENT) return Step::Done;  // created on start
    struct stat st {};
    if (!fd || ::fstat(fd.get(), &st) != 0) return refuseErrno(subject(name, true)), Step::Failed;
    if (S_ISLNK(st.st_mode)) return followFinal();
    if (S_ISDIR(st.st_mode)) return refuse(lead(name, true) + "is a directory"), Step::Failed;
    if (!acceptable(st, name)) return Step::Failed;
    if (mode == Mode::CheckAsWorkers && !willBeHandedOver(st) &&
        ::faccessat(dir_.get(), name.c_str(), W_OK, 0) != 0) {
      return refuseErrno(lead(name, true) + "cannot be written"), Step::Failed;
    }
    return Step::Done;
  }

  // What handOver() will give to the workers' user: a regular file with one link that root
  // owns (the master runs as root whenever it hands files over).
  static bool willBeHandedOver(const struct stat& st) noexcept {
    return S_ISREG(st.st_mode) && st.st_nlink == 1 && st.st_uid == 0;
  }

  Step openFile(Mode mode, base::UniqueFd& out) {
    if (!finalNameOk()) return Step::Failed;
    const std::string& name = todo_.front();
    base::UniqueFd fd;
    bool created = false;
    for (int attempt = 0; attempt < kCreateAttempts && !fd; ++attempt) {
      fd.reset(::openat(dir_.get(), name.c_str(), kAppendFlags));
      if (fd || errno != ENOENT) break;
      // O_EXCL: a new inode of our own, never whatever a racing user put there meanwhile.
      fd.reset(::openat(dir_.get(), name.c_str(), kAppendFlags | O_CREAT | O_EXCL, 0640));
      created = static_cast<bool>(fd);
      if (!fd && errno != EEXIST) break;
    }
    if (!fd && errno == ELOOP) return followFinal();  // O_NOFOLLOW met a symbolic link
    struct stat st {};
    if (!fd || ::fstat(fd.get(), &st) != 0) return refuseErrno(subject(name, true)), Step::Failed;
    if (!acceptable(st, name)) return Step::Failed;
    int flags = ::fcntl(fd.get(), F_GETFL);
    if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK) != 0) {
      return refuseErrno(subject(name, true)), Step::Failed;
    }
    if (mode == Mode::Prepare && !handOver(fd.get(), st, created, name)) {
      return Step::Failed;
    }
    out = std::move(fd);
    return Step::Done;
  }

  // Only a file whose one name is this one and that root owns (or that we just made) changes
  // hands: never a device, a FIFO, another user's file or one with other links.
  bool handOver(int fd, const struct stat& st, bool created, const std::string& name) {
    const uid_t uid = workers_;
    if (::geteuid() != 0 || st.st_uid == uid) return true;
    if (!S_ISREG(st.st_mode) || st.st_nlink != 1 || (st.st_uid != 0 && !created)) return true;
    if (::fchown(fd, uid, static_cast<gid_t>(-1)) != 0) {
      return refuseErrno(lead(name, true) + "cannot hand it to uid " + std::to_string(uid));
    }
    return true;
  }

  const std::string& path_;
  uid_t workers_;  // the workers' user (see the header)
  std::string& error_;
  std::deque<std::string> todo_;  // components still to walk; the last one names the file
  base::UniqueFd dir_;            // O_PATH fd of the directory reached so far
  std::string where_;             // its path, for messages
  bool trusted_ = false;
  int links_ = 0;
};

}  // namespace

bool isFilePath(std::string_view target) noexcept {
  return target != "stdout" && target != "stderr" && target != "off";
}

base::UniqueFd openLogFile(const std::string& path, uid_t workers, std::string& error) {
  base::UniqueFd fd;
  Resolver(path, workers, error).run(Mode::Append, fd);
  return fd;
}

bool prepareLogFile(const std::string& path, uid_t workers, std::string& error) {
  base::UniqueFd fd;
  return Resolver(path, workers, error).run(Mode::Prepare, fd);
}

bool checkLogFile(const std::string& path, uid_t workers, std::string& error) {
  base::UniqueFd fd;
  return Resolver(path, workers, error).run(Mode::Check, fd);
}

bool workersCanOpenLogFile(const std::string& path, std::string& error) {
  base::UniqueFd fd;
  return Resolver(path, ::geteuid(), error).run(Mode::CheckAsWorkers, fd);
}

}  // namespace learnhttpd::log
