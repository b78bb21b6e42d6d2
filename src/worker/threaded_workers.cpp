// SPDX-License-Identifier: MIT
#include "worker/threaded_workers.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>

#include <spdlog/spdlog.h>

#include "worker/blocking_driver.hpp"

namespace learnhttpd::worker {
namespace {

// Queue slots per pool thread in threads-queue (as the thread-pool model's queue).
constexpr std::size_t kQueuePerThread = 4;

void raiseEvent(int fd) {
  std::uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(fd, &one, sizeof one);
}

void clearEvent(int fd) {
  std::uint64_t count = 0;
  [[maybe_unused]] ssize_t n = ::read(fd, &count, sizeof count);
}

auto far() {
  return SteadyClock::now() + std::chrono::hours(1);
}

}  // namespace

// ---- thread-per-connection -------------------------------------------------------------------

struct ThreadPerConnectionWorker::Job {
  ThreadPerConnectionWorker* self;
  base::UniqueFd fd;
};

ThreadPerConnectionWorker::ThreadPerConnectionWorker(const WorkerContext& context)
    : serve_(context.config, context.site_files, requestCounter(context), context.site_counts),
      control_(context, serve_) {}

int ThreadPerConnectionWorker::run() {
  if (!control_.open() || !threads_.open()) return kExitBootFailure;
  control_.start();
  std::vector<pollfd> listening = control_.listenSet();
  std::vector<pollfd> set;
  const std::size_t limit = control_.config().max_connections;
  while (!control_.quitting() && !control_.terminating()) {
    // At max_connections threads nobody accepts: new clients wait in the kernel's backlog.
    bool room = threads_.joinFinished() < limit;
    set.assign({{threads_.finishedFd(), POLLIN, 0}});
    if (room) set.insert(set.end(), listening.begin(), listening.end());
    if (control_.wait(set, far(), /*idle=*/true) != Wake::Ready || !room) continue;
    base::UniqueFd fd = control_.acceptor().acceptReady(set.data() + 1, set.size() - 1);
    if (!fd) continue;
    auto job = std::make_unique<Job>(Job{this, std::move(fd)});
    if (int error = threads_.start(serveJob, job.get()); error != 0) {
      spdlog::error("worker {}: cannot start a connection thread: {}; closing the connection",
                    control_.slot(), std::strerror(error));
      continue;
    }
    static_cast<void>(job.release());  // the thread's now
  }
  control_.closeListeners();
  std::vector<pollfd> finished{{threads_.finishedFd(), POLLIN, 0}};
  while (threads_.joinFinished() > 0 && !control_.terminating()) {
    control_.wait(finished, SteadyClock::now() + ModelControl::kSlice, false);
  }
  threads_.joinAll();  // after TERM every thread is on its way out (ModelControl's stop fd)
  return kExitOk;
}

void ThreadPerConnectionWorker::serveJob(void* arg) {
  std::unique_ptr<Job> job(static_cast<Job*>(arg));
  std::string peer = job->self->control_.acceptor().peerOf(job->fd.get());
  serveConnection(job->self->control_, std::move(job->fd), std::move(peer));
}

// ---- threads-accept --------------------------------------------------------------------------

ThreadsAcceptWorker::ThreadsAcceptWorker(const WorkerContext& context)
    : serve_(context.config, context.site_files, requestCounter(context), context.site_counts),
      control_(context, serve_) {}

int ThreadsAcceptWorker::run() {
  if (!control_.open(false, /*own_listeners=*/false) || !threads_.open()) return kExitBootFailure;
  unsigned wanted = std::max(1U, control_.config().threads);
  for (unsigned i = 0; i < wanted; ++i) {
    if (int error = threads_.start(acceptLoop, this); error != 0) {
      spdlog::critical("worker {}: cannot start thread {} of {}: {}", control_.slot(), i + 1,
                       wanted, std::strerror(error));
      control_.beginTerminate();
      threads_.joinAll();
      return kExitBootFailure;
    }
  }
  if (WorkerStatus* status = control_.status(); status != nullptr) {
    status->threads_max.store(wanted, std::memory_order_relaxed);
    status->threads.store(wanted, std::memory_order_relaxed);
  }
  control_.start();
  std::vector<pollfd> finished{{threads_.finishedFd(), POLLIN, 0}};
  while (threads_.joinFinished() > 0 && !control_.terminating()) {
    // The listening sockets close once no thread can be polling them any more (a thread
    // announces itself in in_accept_ before it checks quitting(), both sequentially
    // consistent: either it sees the stop or this thread sees it).
    if (control_.quitting() && in_accept_.load() == 0) control_.closeListeners();
    control_.wait(finished, SteadyClock::now() + ModelControl::kSlice, false);
  }
  threads_.joinAll();
  if (in_accept_.load() == 0) control_.closeListeners();
  return kExitOk;
}

void ThreadsAcceptWorker::acceptLoop(void* arg) {
  auto& self = *static_cast<ThreadsAcceptWorker*>(arg);
  ModelControl& control = self.control_;
  std::vector<pollfd> listening = control.listenSet();
  for (;;) {
    self.in_accept_.fetch_add(1);
    if (control.quitting() || control.terminating()) {
      self.in_accept_.fetch_sub(1);
      return;
    }
    Wake wake = control.wait(listening, far(), /*idle=*/true);
    base::UniqueFd fd;
    if (wake == Wake::Ready) {
      fd = control.acceptor().acceptReady(listening.data(), listening.size());
    }
    self.in_accept_.fetch_sub(1);
    if (!fd) continue;
    std::string peer = control.acceptor().peerOf(fd.get());
    serveConnection(control, std::move(fd), std::move(peer));
  }
}

// ---- threads-queue ---------------------------------------------------------------------------

ThreadsQueueWorker::ThreadsQueueWorker(const WorkerContext& context)
    : serve_(context.config, context.site_files, requestCounter(context), context.site_counts),
      control_(context, serve_),
      sizer_(PoolSizer::fromConfig(context.config)),
      report_("threads-queue", context.slot, sizer_, context.status),
      capacity_(kQueuePerThread * sizer_.max()) {}

int ThreadsQueueWorker::run() {
  space_fd_.reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!control_.open() || !threads_.open() || !space_fd_) return kExitBootFailure;
  for (unsigned i = 0; i < sizer_.min(); ++i) grow();
  if (alive_ < sizer_.min()) {
    control_.beginTerminate();
    {
      std::lock_guard lock(mutex_);
      closed_ = true;  // the threads that did start wait on ready_, not on the stop fds
    }
    ready_.notify_all();
    threads_.joinAll();
    return kExitBootFailure;
  }
  report_.update(static_cast<unsigned>(threads_.running()), SteadyClock::now());
  control_.start();
  // The listening sockets, and the pool's finished-thread eventfd so that threads that shrank
  // the pool are joined (and counted) at once.
  std::vector<pollfd> listening = control_.listenSet();
  const std::size_t listeners = listening.size();
  listening.push_back({threads_.finishedFd(), POLLIN, 0});
  std::vector<pollfd> space{{space_fd_.get(), POLLIN, 0}};
  base::UniqueFd pending;  // accepted, waiting for a queue slot
  while (!control_.quitting() && !control_.terminating()) {
    SteadyClock::time_point report_at = joinAndReport();
    if (pending) {
      // The queue is full: nobody accepts, new clients wait in the backlog.
      if (push(pending)) continue;
      control_.wait(space, SteadyClock::now() + ModelControl::kSlice, /*idle=*/true);
      clearEvent(space_fd_.get());
      continue;
    }
    if (control_.wait(listening, report_at, /*idle=*/true) != Wake::Ready) continue;
    pending = control_.acceptor().acceptReady(listening.data(), listeners);
    if (pending && push(pending)) pending.reset();
  }
  control_.closeListeners();
  {
    std::lock_guard lock(mutex_);
    if (pending) queue_.push_back(std::move(pending));  // accepted: it is answered too
    closed_ = true;
  }
  ready_.notify_all();
  std::vector<pollfd> finished{{threads_.finishedFd(), POLLIN, 0}};
  while (threads_.joinFinished() > 0 && !control_.terminating()) {
    control_.wait(finished, SteadyClock::now() + ModelControl::kSlice, false);
  }
  threads_.joinAll();
  return kExitOk;  // connections still queued after TERM close with queue_
}

// Control thread: joins the threads that retired, reports the pool's size; returns when the
// report next wants to be called (a held log line), or far ahead.
SteadyClock::time_point ThreadsQueueWorker::joinAndReport() {
  auto now = SteadyClock::now();
  report_.update(static_cast<unsigned>(threads_.joinFinished()), now);
  report_.flush(now);
  return report_.dueAt().value_or(far());
}

// Control thread. False (and `fd` kept) when the queue is full.
bool ThreadsQueueWorker::push(base::UniqueFd& fd) {
  bool more_threads = false;
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= capacity_) {
      waiting_for_space_ = true;
      return false;
    }
    queue_.push_back(std::move(fd));
    more_threads = sizer_.shouldGrow(queue_.size(), idle_, alive_);
  }
  ready_.notify_one();
  if (more_threads && grow()) {
    report_.update(static_cast<unsigned>(threads_.running()), SteadyClock::now());
  }
  return true;
}

// Control thread. False when the thread could not be started.
bool ThreadsQueueWorker::grow() {
  {
    std::lock_guard lock(mutex_);
    ++alive_;
  }
  if (int error = threads_.start(consumerLoop, this); error != 0) {
    {
      std::lock_guard lock(mutex_);
      --alive_;
    }
    report_.startFailed(error, SteadyClock::now());
    return false;
  }
  return true;
}

void ThreadsQueueWorker::consumerLoop(void* arg) {
  static_cast<ThreadsQueueWorker*>(arg)->consume();
}

void ThreadsQueueWorker::consume() {
  for (;;) {
    base::UniqueFd fd;
    {
      std::unique_lock lock(mutex_);
      ++idle_;
      const auto idle_since = SteadyClock::now();
      while (queue_.empty() && !closed_) {
        if (!sizer_.mayShrink(alive_)) {
          ready_.wait(lock);
          continue;
        }
        ready_.wait_until(lock, sizer_.retireAt(idle_since));
        if (queue_.empty() && !closed_ &&
            sizer_.shouldRetire(idle_since, SteadyClock::now(), alive_)) {
          --idle_;
          --alive_;
          return;  // the control thread joins this thread and reports the smaller pool
        }
      }
      --idle_;
      if (queue_.empty() || control_.terminating()) {  // closed: the worker is stopping
        --alive_;
        return;
      }
      fd = std::move(queue_.front());
      queue_.pop_front();
      if (std::exchange(waiting_for_space_, false)) raiseEvent(space_fd_.get());
    }
    std::string peer = control_.acceptor().peerOf(fd.get());
    serveConnection(control_, std::move(fd), std::move(peer));
  }
}

}  // namespace learnhttpd::worker
