// SPDX-License-Identifier: MIT
#include "worker/model_control.hpp"

#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <vector>

#include <spdlog/spdlog.h>

namespace learnhttpd::worker {
namespace {

sigset_t controlSignals(bool children) {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGTERM, SIGINT, SIGQUIT, SIGUSR1}) sigaddset(&set, s);
  if (children) sigaddset(&set, SIGCHLD);
  return set;
}

void raise(int event_fd) {
  std::uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(event_fd, &one, sizeof one);
}

int millisUntil(SteadyClock::time_point deadline, SteadyClock::time_point now) {
  auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count();
  return static_cast<int>(std::clamp<std::int64_t>(left, 0, std::int64_t{24} * 3600 * 1000));
}

}  // namespace

ModelControl::ModelControl(const WorkerContext& context, protocol::SessionContext& serve)
    : context_(context), serve_(serve), heartbeat_(context.status) {}

ModelControl::~ModelControl() = default;

bool ModelControl::open(bool watch_children, bool own_listeners) {
  own_listeners_ = own_listeners;
  if (!logs_.open(context_.config, context_.slot)) return false;
  serve_.access_log = logs_.access();
  // The client's address: for the access log, and for basic auth's bound on wrong passwords.
  acceptor_.emplace(context_.slot, logs_.access() != nullptr || serve_.sites.hasAuth());
  control_thread_ = ::pthread_self();
  // Blocked here too, not only inherited: a signalfd sees a signal only while it is blocked.
  // Everything else is unblocked, so ABRT from the watchdog still dumps core.
  sigset_t mine = controlSignals(watch_children);
  ::pthread_sigmask(SIG_SETMASK, &mine, nullptr);
  signal_fd_.reset(::signalfd(-1, &mine, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!signal_fd_ || !openStopFds()) {
    spdlog::critical("worker {}: signalfd/eventfd: {}", context_.slot, std::strerror(errno));
    return false;
  }
  return true;
}

bool ModelControl::openStopFds() {
  quit_fd_.reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  term_fd_.reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  return quit_fd_ && term_fd_;
}

bool ModelControl::resetInChild() {
  control_thread_ = ::pthread_self();
  heartbeat_ = nullptr;
  quitting_.store(false);
  terminating_.store(false);
  listeners_closed_ = true;  // the parent accepts; the child never touches them
  for (int fd : context_.listen_fds) ::close(fd);
  return openStopFds();
}

void ModelControl::start() {
  if (heartbeat_ != nullptr) {
    heartbeat_->heartbeat_ms.store(monotonicMs(), std::memory_order_relaxed);
  }
}

bool ModelControl::onControlThread() const noexcept {
  return ::pthread_equal(control_thread_, ::pthread_self()) != 0;
}

Wake ModelControl::waitFor(int fd, short events, SteadyClock::time_point deadline, bool idle,
                           bool stopping_seen) {
  pollfd one{fd, events, 0};
  return wait({&one, 1}, deadline, idle, stopping_seen);
}

Wake ModelControl::wait(std::span<pollfd> fds, SteadyClock::time_point deadline, bool idle,
                        bool stopping_seen) {
  thread_local std::vector<pollfd> set;
  const bool control = onControlThread();
  const bool wake_on_quit = idle && !stopping_seen;
  for (;;) {
    if (terminating()) return Wake::Stop;
    if (wake_on_quit && quitting()) return Wake::Quit;
    auto now = SteadyClock::now();
    if (now >= deadline) return Wake::Timeout;
    int timeout = millisUntil(deadline, now);
    if (control) timeout = std::min(timeout, static_cast<int>(kSlice.count()));
    set.assign(fds.begin(), fds.end());
    set.push_back({term_fd_.get(), POLLIN, 0});
    if (wake_on_quit) set.push_back({quit_fd_.get(), POLLIN, 0});
    if (control) set.push_back({signal_fd_.get(), POLLIN, 0});
    int ready = ::poll(set.data(), set.size(), timeout);
    if (control) service();
    if (ready < 0 && errno != EINTR) {
      spdlog::error("worker {}: poll: {}", context_.slot, std::strerror(errno));
      return Wake::Stop;
    }
    if (terminating()) return Wake::Stop;
    if (wake_on_quit && quitting()) return Wake::Quit;  // before readiness: listeners may be shut
    if (ready <= 0) continue;
    bool mine = false;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      fds[i].revents = set[i].revents;
      mine = mine || set[i].revents != 0;
    }
    if (mine) return Wake::Ready;
  }
}

void ModelControl::service() {
  signalfd_siginfo info{};
  while (::read(signal_fd_.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
    handleSignal(static_cast<int>(info.ssi_signo));
  }
  if (heartbeat_ != nullptr) {
    heartbeat_->heartbeat_ms.store(monotonicMs(), std::memory_order_relaxed);
  }
  if (quitting() && !terminating() && SteadyClock::now() >= quit_deadline_) {
    spdlog::warn("worker {}: shutdown_timeout reached, closing every connection", context_.slot);
    beginTerminate();
  }
}

void ModelControl::handleSignal(int signal) {
  switch (signal) {
    case SIGQUIT:
      return beginQuit();
    case SIGUSR1:
      logs_reopened_ = true;
      return logs_.reopen();
    case SIGCHLD:
      child_exited_ = true;
      return;
    default:
      return beginTerminate();  // TERM, INT
  }
}

void ModelControl::beginQuit() {
  if (quitting()) return;
  quit_deadline_ = SteadyClock::now() + context_.config.shutdown_timeout;
  quitting_.store(true);
  raise(quit_fd_.get());
  // Only this thread ever polls or accepts on them: they can go now, even while this thread
  // is busy with a long download, so that new clients are refused at once.
  if (own_listeners_) closeListeners();
  // Logged last: once the line is out, no thread of this worker accepts any more.
  if (heartbeat_ != nullptr) spdlog::info("worker {}: graceful stop", context_.slot);
}

void ModelControl::beginTerminate() {
  if (terminating()) return;
  terminating_.store(true);
  raise(term_fd_.get());
}

bool ModelControl::childExited() noexcept {
  return std::exchange(child_exited_, false);
}

bool ModelControl::logsReopened() noexcept {
  return std::exchange(logs_reopened_, false);
}

void ModelControl::closeListeners() {
  if (listeners_closed_) return;
  listeners_closed_ = true;
  // As in WorkerLoop: once the master and every worker have closed theirs, a new client is
  // refused at once instead of waiting in a backlog nobody accepts from.
  for (int fd : context_.listen_fds) ::close(fd);
}

std::vector<pollfd> ModelControl::listenSet() const {
  std::vector<pollfd> set;
  for (int fd : context_.listen_fds) set.push_back({fd, POLLIN, 0});
  return set;
}

}  // namespace learnhttpd::worker
