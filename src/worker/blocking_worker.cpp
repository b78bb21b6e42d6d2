// SPDX-License-Identifier: MIT
#include "worker/blocking_worker.hpp"

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>

#include <spdlog/spdlog.h>

#include "worker/blocking_driver.hpp"

namespace learnhttpd::worker {
namespace {

// After TERM, how long children may take to exit before they are killed.
constexpr std::chrono::milliseconds kChildStopGrace{1000};

}  // namespace

// ---- blocking --------------------------------------------------------------------------------

BlockingWorker::BlockingWorker(const WorkerContext& context)
    : serve_(context.config, context.site_files, requestCounter(context), context.site_counts),
      control_(context, serve_) {}

int BlockingWorker::run() {
  if (!control_.open()) return kExitBootFailure;
  control_.start();
  std::vector<pollfd> listening = control_.listenSet();
  while (!control_.quitting() && !control_.terminating()) {
    auto until = SteadyClock::now() + std::chrono::hours(1);
    if (control_.wait(listening, until, /*idle=*/true) != Wake::Ready) continue;
    base::UniqueFd fd = control_.acceptor().acceptReady(listening.data(), listening.size());
    if (!fd) continue;  // a sibling worker took it
    std::string peer = control_.acceptor().peerOf(fd.get());
    serveConnection(control_, std::move(fd), std::move(peer));
  }
  control_.closeListeners();
  return kExitOk;
}

// ---- process-per-connection ------------------------------------------------------------------

ProcessPerConnectionWorker::ProcessPerConnectionWorker(const WorkerContext& context)
    : serve_(context.config, context.site_files, requestCounter(context), context.site_counts),
      control_(context, serve_) {}

int ProcessPerConnectionWorker::run() {
  if (!control_.open(/*watch_children=*/true)) return kExitBootFailure;
  control_.start();
  std::vector<pollfd> listening = control_.listenSet();
  std::vector<pollfd> none;
  while (!control_.quitting() && !control_.terminating()) {
    bool room = children_.size() < control_.config().max_connections;
    // At the bound nobody accepts: new clients wait in the backlog until a child exits. The
    // short deadline lets SIGCHLD (read between slices) be acted on.
    Wake wake = control_.wait(room ? listening : none, SteadyClock::now() + ModelControl::kSlice,
                              /*idle=*/true);
    if (control_.childExited()) reap();
    if (control_.logsReopened()) signalChildren(SIGUSR1);
    if (wake != Wake::Ready) continue;
    base::UniqueFd fd = control_.acceptor().acceptReady(listening.data(), listening.size());
    if (fd) forkChild(std::move(fd));
  }
  control_.closeListeners();
  stopChildren();
  return kExitOk;
}

void ProcessPerConnectionWorker::forkChild(base::UniqueFd fd) {
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid == 0) runChild(std::move(fd), parent);
  if (pid < 0) {
    // The client is closed unanswered: without a process there is nobody to answer it.
    spdlog::error("worker {}: fork: {}; closing a connection", control_.slot(),
                  std::strerror(errno));
    return;
  }
  children_.push_back(pid);
}

void ProcessPerConnectionWorker::runChild(base::UniqueFd fd, pid_t parent) {
  // A child must not outlive its worker, even one killed with SIGKILL.
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (::getppid() != parent) ::_exit(0);
  int code = kExitOk;
  if (control_.resetInChild()) {
    std::string peer = control_.acceptor().peerOf(fd.get());
    serveConnection(control_, std::move(fd), std::move(peer));
  } else {
    spdlog::error("worker {}: child: eventfd: {}", control_.slot(), std::strerror(errno));
    code = kExitBootFailure;
  }
  spdlog::default_logger()->flush();
  ::_exit(code);  // none of the parent's destructors run twice
}

void ProcessPerConnectionWorker::reap() {
  for (;;) {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return;
    std::erase(children_, pid);
    if (WIFSIGNALED(status) && WTERMSIG(status) != SIGTERM && WTERMSIG(status) != SIGKILL) {
      spdlog::error("worker {}: connection process {} was killed by signal {}", control_.slot(),
                    pid, WTERMSIG(status));
    }
  }
}

void ProcessPerConnectionWorker::signalChildren(int signal) {
  for (pid_t pid : children_) ::kill(pid, signal);
}

// QUIT: the children finish their answers (their own shutdown_timeout bounds them) while the
// worker waits; TERM, or the worker's shutdown_timeout: TERM now, KILL after a short grace.
void ProcessPerConnectionWorker::stopChildren() {
  std::vector<pollfd> none;
  if (!control_.terminating()) {
    signalChildren(SIGQUIT);
    while (!children_.empty() && !control_.terminating()) {
      control_.wait(none, SteadyClock::now() + ModelControl::kSlice, false);
      if (control_.childExited()) reap();
      if (control_.logsReopened()) signalChildren(SIGUSR1);
    }
  }
  signalChildren(SIGTERM);
  auto deadline = SteadyClock::now() + kChildStopGrace;
  while (!children_.empty() && SteadyClock::now() < deadline) {
    ::usleep(10'000);
    reap();
  }
  signalChildren(SIGKILL);
  while (!children_.empty()) {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) break;
    std::erase(children_, pid);
  }
}

}  // namespace learnhttpd::worker
