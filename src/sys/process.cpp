// SPDX-License-Identifier: MIT
#include "sys/process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <vector>

#include "sys/start_record.hpp"

namespace learnhttpd::sys {
namespace {

std::string fail(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

}  // namespace

bool daemonize(bool keep_stdout, bool keep_stderr, std::string& error) {
  pid_t pid = ::fork();
  if (pid < 0) return error = fail("fork"), false;
  if (pid > 0) ::_exit(0);
  if (::setsid() < 0) return error = fail("setsid"), false;
  // The second fork makes sure the daemon is not a session leader and can never get a
  // controlling terminal back.
  pid = ::fork();
  if (pid < 0) return error = fail("fork"), false;
  if (pid > 0) ::_exit(0);
  ::umask(022);
  if (::chdir("/") != 0) return error = fail("chdir /"), false;
  int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null < 0) return error = fail("/dev/null"), false;
  for (int fd = 0; fd <= 2; ++fd) {
    if ((fd == 1 && keep_stdout) || (fd == 2 && keep_stderr)) continue;
    ::dup2(null, fd);
  }
  if (null > 2) ::close(null);
  return true;
}

bool replaceFile(const std::string& path, std::string_view content, mode_t mode,
                 std::string& error) {
  const std::string temp = path + ".tmp." + std::to_string(::getpid());
  ::unlink(temp.c_str());  // our own leftover, from a pid that was ours before
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) return error = fail("cannot create " + temp), false;
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error = fail("cannot write " + temp);
      ::close(fd);
      ::unlink(temp.c_str());
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0 || ::rename(temp.c_str(), path.c_str()) != 0) {
    error = fail("cannot write " + path);
    ::unlink(temp.c_str());
    return false;
  }
  return true;
}

PidFile::~PidFile() {
  if (path_.empty()) return;
  if (recorded_) removeStartRecord(path_);
  std::string ignored;
  if (read(path_, ignored) == ::getpid()) ::unlink(path_.c_str());
}

bool PidFile::write(const std::string& path, std::string& error) {
  std::string ignored;
  pid_t other = read(path, ignored);
  if (other > 0 && other != ::getpid() && ::kill(other, 0) == 0) {
    error = "pid file " + path + " names process " + std::to_string(other) +
            ", which is still running (another learnhttpd?)";
    return false;
  }
  if (!replaceFile(path, std::to_string(::getpid()) + "\n", 0644, error)) {
    error = "pid file: " + error;
    return false;
  }
  path_ = path;
  return true;
}

bool PidFile::recordStart(const std::vector<std::string>& args, std::string& error) {
  if (path_.empty()) return error = "no pid file", false;
  if (!writeStartRecord(path_, args, error)) {
    error = "start record: " + error;
    return false;
  }
  recorded_ = true;
  return true;
}

pid_t PidFile::read(const std::string& path, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = fail("cannot read pid file " + path);
    return -1;
  }
  long pid = 0;
  if (!(in >> pid) || pid <= 0) {
    error = "pid file " + path + " does not hold a process id";
    return -1;
  }
  return static_cast<pid_t>(pid);
}

unsigned long raiseFileLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised{limit.rlim_max, limit.rlim_max};
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return static_cast<unsigned long>(limit.rlim_cur);
}

bool lookupUser(const std::string& user, uid_t& uid, gid_t& gid) {
  passwd entry{};
  passwd* found = nullptr;
  std::vector<char> buf(16384);
  if (::getpwnam_r(user.c_str(), &entry, buf.data(), buf.size(), &found) != 0 || !found) {
    return false;
  }
  uid = found->pw_uid;
  gid = found->pw_gid;
  return true;
}

bool dropPrivileges(const std::string& user, std::string& error) {
  if (user.empty() || ::geteuid() != 0) return true;
  uid_t uid = 0;
  gid_t gid = 0;
  if (!lookupUser(user, uid, gid)) {
    error = "user '" + user + "' does not exist";
    return false;
  }
  // Order matters: groups and gid while still root, uid last.
  if (::initgroups(user.c_str(), gid) != 0) return error = fail("initgroups " + user), false;
  if (::setgid(gid) != 0) return error = fail("setgid " + user), false;
  if (::setuid(uid) != 0) return error = fail("setuid " + user), false;
  if (::setuid(0) == 0) {
    error = "could regain root after switching to " + user;
    return false;
  }
  return true;
}

}  // namespace learnhttpd::sys
