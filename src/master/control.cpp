// SPDX-License-Identifier: MIT
#include "master/control.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <thread>

#include "log/journal_sink.hpp"
#include "sys/process.hpp"

namespace learnhttpd::master {
namespace {

using namespace std::chrono_literals;

std::set<long> childrenOf(pid_t pid) {
  std::set<long> children;
  std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  long child = 0;
  while (in >> child) children.insert(child);
  return children;
}

// A zombie (exited, not yet reaped by whoever started it) counts as gone.
bool alive(pid_t pid) {
  if (::kill(pid, 0) != 0 && errno != EPERM) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  std::size_t close_paren = line.rfind(')');
  return close_paren == std::string::npos || close_paren + 2 >= line.size() ||
         line[close_paren + 2] != 'Z';
}

template <typename Done>
bool waitFor(std::chrono::milliseconds limit, Done done) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return done();
}

int fail(const std::string& message) {
  std::fprintf(stderr, "%slearnhttpd: %s\n", log::stderrErrorPrefix(), message.c_str());
  return 1;
}

std::string commOf(const std::string& pid) {
  std::ifstream in("/proc/" + pid + "/comm");
  std::string name;
  std::getline(in, name);
  return name;
}

// systemd hands ExecReload=/ExecStop= the service's main pid in $MAINPID, so -s works under
// systemd even with `pid_file: ""`. A stray value must not make us signal some other program:
// the process must carry our own name.
pid_t pidFromEnvironment(const char* text, std::string& error) {
  char* end = nullptr;
  errno = 0;
  long pid = std::strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || pid <= 0 || pid > INT_MAX) {
    error = std::string("MAINPID '") + text + "' is not a process id";
    return -1;
  }
  if (commOf(std::to_string(pid)) != commOf("self")) {
    error = "MAINPID " + std::to_string(pid) + " is not a learnhttpd process";
    return -1;
  }
  return static_cast<pid_t>(pid);
}

// The master: $MAINPID when set, else the pid file's.
pid_t findMaster(const config::Config& config, std::string& error, std::string& named_by) {
  const char* main_pid = std::getenv("MAINPID");
  if (main_pid != nullptr && *main_pid != '\0') {
    named_by = "MAINPID";
    return pidFromEnvironment(main_pid, error);
  }
  named_by = config.pid_file;
  pid_t pid = sys::PidFile::read(config.pid_file, error);
  if (pid <= 0) error += " (is learnhttpd running?)";
  return pid;
}

}  // namespace

int signalRunningMaster(const config::Config& config, const std::string& action) {
  int signal = action == "reload" ? SIGHUP
               : action == "stop" ? SIGTERM
               : action == "quit" ? SIGQUIT
                                  : SIGUSR1;
  std::string error;
  std::string named_by;
  pid_t pid = findMaster(config, error, named_by);
  if (pid <= 0) return fail(error);
  if (!alive(pid))
    return fail("process " + std::to_string(pid) + " named by " + named_by + " is not running");
  std::set<long> before = childrenOf(pid);
  if (::kill(pid, signal) != 0)
    return fail("kill " + std::to_string(pid) + ": " + std::strerror(errno));
  if (action == "reload") {
    // A new generation shows as children that were not there before. None within the limit:
    // the master kept the old generation (its error log says why).
    bool reloaded = waitFor(10s, [&] {
      std::set<long> now = childrenOf(pid);
      return std::any_of(now.begin(), now.end(), [&](long c) { return !before.count(c); });
    });
    return reloaded ? 0 : fail("the master kept its running configuration; see its error log");
  }
  if (action == "stop" || action == "quit") {
    auto limit =
        std::chrono::duration_cast<std::chrono::milliseconds>(config.shutdown_timeout) + 10s;
    if (!waitFor(limit, [&] { return !alive(pid); })) {
      return fail("process " + std::to_string(pid) + " is still running");
    }
  }
  return 0;
}

}  // namespace learnhttpd::master
