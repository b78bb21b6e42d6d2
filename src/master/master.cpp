#include "master/master.hpp"

#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <string>

#include <spdlog/spdlog.h>

#include "sys/systemd_notify.hpp"
#include "worker/worker.hpp"

namespace learnhttpd::master {
namespace {

using namespace std::chrono_literals;

constexpr auto kTick = 1000ms;               // the loop wakes at least this often
constexpr auto kCrashWindow = 2s;            // a worker dying sooner than this "crashed at boot"
constexpr auto kMaxBackoff = 30s;
constexpr auto kFastStopGrace = 5s;          // TERM/INT: how long workers get before KILL

std::string describeStatus(int status) {
  if (WIFEXITED(status)) return "exited with code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("killed by signal ") + strsignal(WTERMSIG(status));
  return "stopped";
}

}  // namespace

Master::Master(config::Config config) : config_(std::move(config)) {}

int Master::run() {
  if (!start()) return 1;
  loop();
  sys::notifySystemd("STOPPING=1");
  spdlog::info("master: exiting");
  return exit_code_;
}

bool Master::start() {
  std::string error;
  root_ = fs::DocumentRoot::open(config_.document_root, error);
  if (!root_.valid()) {
    spdlog::critical("{}", error);
    return false;
  }
  if (!listeners_.update(config_.listen, error)) {
    spdlog::critical("{}", error);
    return false;
  }
  for (std::size_t i = 0; i < config_.listen.size(); ++i) {
    spdlog::info("listening on {}", Listeners::describe(listeners_.fds()[i], config_.listen[i]));
  }
  if (!signals_.install({SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1, SIGTTIN, SIGTTOU, SIGCHLD})) {
    spdlog::critical("master: cannot install signal handlers: {}", std::strerror(errno));
    return false;
  }
  unsigned count = config::effectiveWorkers(config_);
  spdlog::info("master: pid {}, starting {} {} worker(s), document root {}", getpid(), count,
               config_.worker_model == config::WorkerModel::Event ? "event" : "threadpool",
               config_.document_root);
  for (unsigned slot = 0; slot < count; ++slot) vacant_slots_.push_back(count - 1 - slot);
  respawnMissing();
  sys::notifySystemd("READY=1\nSTATUS=serving with " + std::to_string(workers_.size()) +
                     " worker(s)");
  return true;
}

void Master::loop() {
  while (!stop_requested_) {
    pollfd pfd{signals_.readFd(), POLLIN, 0};
    ::poll(&pfd, 1, static_cast<int>(std::chrono::milliseconds(kTick).count()));
    handleSignals();
    reapChildren();
    if (!stop_requested_) respawnMissing();
  }
  if (graceful_) {
    stopWorkers(SIGQUIT, config_.shutdown_timeout);
  } else {
    stopWorkers(SIGTERM, std::min<std::chrono::milliseconds>(config_.shutdown_timeout,
                                                             kFastStopGrace));
  }
}

void Master::handleSignals() {
  for (int signal : signals_.drain()) {
    switch (signal) {
      case SIGTERM:
      case SIGINT:
        spdlog::info("master: {} received, fast stop", strsignal(signal));
        stop_requested_ = true;
        break;
      case SIGQUIT:
        spdlog::info("master: QUIT received, graceful stop");
        stop_requested_ = true;
        graceful_ = true;
        break;
      case SIGCHLD:
        break;  // reapChildren() runs on every tick anyway
      default:
        spdlog::info("master: {} received, ignored in this version", strsignal(signal));
    }
  }
}

void Master::reapChildren() {
  int status = 0;
  pid_t pid;
  while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
    auto it = std::find_if(workers_.begin(), workers_.end(),
                           [pid](const WorkerProcess& w) { return w.pid == pid; });
    if (it == workers_.end()) continue;
    WorkerProcess gone = *it;
    workers_.erase(it);
    if (stop_requested_) continue;
    spdlog::warn("master: worker {} (pid {}) {}", gone.slot, pid, describeStatus(status));
    if (WIFEXITED(status) && WEXITSTATUS(status) == worker::kExitBootFailure) {
      spdlog::critical("master: worker {} cannot start; stopping instead of respawning",
                       gone.slot);
      stop_requested_ = true;
      exit_code_ = 1;
      continue;
    }
    vacant_slots_.push_back(gone.slot);
    if (Clock::now() - gone.started < kCrashWindow) {
      ++crash_streak_;
      auto backoff = std::min<Clock::duration>(kMaxBackoff, 100ms * (1 << std::min(crash_streak_, 9u)));
      next_respawn_ = Clock::now() + backoff;
      spdlog::warn("master: worker {} died within {} ms of starting; respawn in {} ms", gone.slot,
                   std::chrono::duration_cast<std::chrono::milliseconds>(kCrashWindow).count(),
                   std::chrono::duration_cast<std::chrono::milliseconds>(backoff).count());
    } else {
      crash_streak_ = 0;
    }
  }
}

void Master::respawnMissing() {
  if (Clock::now() < next_respawn_) return;
  while (!vacant_slots_.empty()) {
    unsigned slot = vacant_slots_.back();
    pid_t pid = spawn(slot);
    if (pid < 0) {
      spdlog::error("master: fork failed: {}", std::strerror(errno));
      next_respawn_ = Clock::now() + kTick;
      return;
    }
    vacant_slots_.pop_back();
    workers_.push_back({pid, slot, Clock::now()});
    spdlog::info("master: worker {} started, pid {}", slot, pid);
  }
}

pid_t Master::spawn(unsigned slot) {
  pid_t pid = ::fork();
  if (pid == 0) runWorker(slot);
  return pid;
}

void Master::runWorker(unsigned slot) {
  pid_t master = ::getppid();
  signals_.resetInChild();
  // A worker must not outlive its master: the kernel sends TERM when the master dies.
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (::getppid() != master) ::_exit(0);  // the master died before prctl took effect
  int code = worker::kExitBootFailure;
  {
    worker::WorkerContext context{config_, listeners_.fds(), root_, slot};
    auto worker = worker::makeWorker(context);
    code = worker->run();
  }
  spdlog::default_logger()->flush();
  ::_exit(code);  // no atexit handlers or master destructors in a worker
}

void Master::stopWorkers(int signal, std::chrono::milliseconds grace) {
  for (const auto& w : workers_) ::kill(w.pid, signal);
  auto deadline = Clock::now() + grace;
  while (!workers_.empty() && Clock::now() < deadline) {
    pollfd pfd{signals_.readFd(), POLLIN, 0};
    ::poll(&pfd, 1, 50);
    for (int s : signals_.drain()) {
      if (graceful_ && (s == SIGTERM || s == SIGINT)) {
        spdlog::info("master: {} during graceful stop, switching to fast stop", strsignal(s));
        graceful_ = false;
        for (const auto& w : workers_) ::kill(w.pid, SIGTERM);
      }
    }
    reapChildren();
  }
  for (const auto& w : workers_) {
    spdlog::warn("master: worker {} (pid {}) did not stop in time, killing it", w.slot, w.pid);
    ::kill(w.pid, SIGKILL);
  }
  while (!workers_.empty()) {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) break;
    std::erase_if(workers_, [pid](const WorkerProcess& w) { return w.pid == pid; });
  }
}

}  // namespace learnhttpd::master
