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
#include <variant>
#include <vector>

#include "config/config_loader.hpp"
#include "log/journal_sink.hpp"
#include "master/preflight.hpp"
#include "master/status_client.hpp"
#include "sys/process.hpp"
#include "sys/start_record.hpp"

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
  (void)std::fprintf(stderr, "%slearnhttpd: %s\n", log::stderrErrorPrefix(), message.c_str());
  return 1;
}

bool refuse(const std::string& message) {
  fail(message);
  return false;
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

// The configuration the master named by `pid_file` runs with, from its start record, into
// `config`; false after printing why it cannot be had. Without a record `config` stays.
bool useMastersConfiguration(pid_t pid, config::Config& config) {
  if (config.pid_file.empty()) return true;
  const sys::RecordLookup lookup = sys::readStartRecord(config.pid_file, pid);
  if (lookup.state == sys::RecordState::Missing) return true;
  if (lookup.state == sys::RecordState::Untrusted) return refuse(lookup.error);
  const sys::StartRecord& record = lookup.record;
  const std::string where = sys::startRecordPath(config.pid_file);
  // Relative paths in the master's file (document_root: www) mean what they mean to the master.
  if (::chdir(record.directory.c_str()) != 0) {
    return refuse(where + ": the master's directory " + record.directory + ": " +
                  std::strerror(errno));
  }
  std::vector<std::string> args{"learnhttpd"};
  args.insert(args.end(), record.args.begin(), record.args.end());
  const config::CliResult parsed = config::parseCli(args);
  if (const auto* error = std::get_if<config::CliError>(&parsed)) {
    return refuse(where + ": " + error->message);
  }
  try {
    config = config::loadConfig(std::get<config::CliOptions>(parsed));
  } catch (const config::ConfigError& e) {
    return refuse(e.what());
  }
  return true;
}

int sendSignal(const config::Config& config, pid_t pid, const std::string& named_by,
               const std::string& action) {
  int signal = action == "reload" ? SIGHUP
               : action == "stop" ? SIGTERM
               : action == "quit" ? SIGQUIT
                                  : SIGUSR1;
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

}  // namespace

int controlRunningMaster(const config::CliOptions& cli) {
  config::Config config;
  try {
    config = config::loadConfig(cli);
  } catch (const config::ConfigError& e) {
    return fail(e.what());
  }
  std::string error;
  std::string named_by;
  const pid_t pid = findMaster(config, error, named_by);
  if (cli.signal == "status") {
    // The status listener answers without a pid; a master found tells where it listens.
    if (pid > 0 && !useMastersConfiguration(pid, config)) return 1;
    return printStatus(config);
  }
  if (pid <= 0) return fail(error);
  if (!useMastersConfiguration(pid, config)) return 1;
  if (cli.signal == "reload" && !passesPreflight(config, PreflightOptions{})) return 1;
  return sendSignal(config, pid, named_by, cli.signal);
}

}  // namespace learnhttpd::master
