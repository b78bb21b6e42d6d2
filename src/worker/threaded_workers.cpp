#include "worker/threaded_workers.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>

#include <spdlog/spdlog.h>

#include "worker/blocking_driver.hpp"
#include "worker/blocking_worker.hpp"

namespace learnhttpd::worker {
namespace {

// A serving thread needs little stack (buffers live on the heap); the default 8 MiB would make
// ten thousand threads reserve 80 GiB of address space.
constexpr std::size_t kStackSize = std::size_t{256} * 1024;
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

auto far() { return SteadyClock::now() + std::chrono::hours(1); }

}  // namespace

// ---- ThreadSet -------------------------------------------------------------------------------

struct ThreadSet::Start {
  ThreadSet* set;
  Body body;
  void* arg;
};

bool ThreadSet::open() {
  finished_fd_.reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  return static_cast<bool>(finished_fd_);
}

int ThreadSet::start(Body body, void* arg) {
  auto start = std::make_unique<Start>(Start{this, body, arg});
  pthread_attr_t attr;
  ::pthread_attr_init(&attr);
  ::pthread_attr_setstacksize(&attr, kStackSize);
  pthread_t thread{};
  // Held across create and record, so a thread that ends at once finds itself recorded.
  std::lock_guard lock(mutex_);
  int error = ::pthread_create(&thread, &attr, trampoline, start.get());
  ::pthread_attr_destroy(&attr);
  if (error != 0) return error;
  start.release();  // the thread's now
  running_.push_back(thread);
  return 0;
}

void* ThreadSet::trampoline(void* arg) {
  std::unique_ptr<Start> start(static_cast<Start*>(arg));
  start->body(start->arg);
  start->set->finished(::pthread_self());
  return nullptr;
}

void ThreadSet::finished(pthread_t self) {
  std::lock_guard lock(mutex_);
  finished_.push_back(self);
  raiseEvent(finished_fd_.get());
}

std::size_t ThreadSet::joinFinished() {
  clearEvent(finished_fd_.get());
  std::vector<pthread_t> done;
  {
    std::lock_guard lock(mutex_);
    done.swap(finished_);
    for (pthread_t t : done) {
      std::erase_if(running_, [t](pthread_t r) { return ::pthread_equal(r, t) != 0; });
    }
  }
  for (pthread_t t : done) ::pthread_join(t, nullptr);
  return running();
}

std::size_t ThreadSet::running() const {
  std::lock_guard lock(mutex_);
  return running_.size();
}

void ThreadSet::joinAll() {
  std::vector<pthread_t> all;
  {
    std::lock_guard lock(mutex_);
    all.swap(running_);
    finished_.clear();
  }
  for (pthread_t t : all) ::pthread_join(t, nullptr);
}

// ---- thread-per-connection -------------------------------------------------------------------

struct ThreadPerConnectionWorker::Job {
  ThreadPerConnectionWorker* self;
  net::UniqueFd fd;
};

ThreadPerConnectionWorker::ThreadPerConnectionWorker(const WorkerContext& context)
    : serve_(context.config, context.root, nullptr, context.status), control_(context, serve_) {}

int ThreadPerConnectionWorker::run() {
  if (!control_.open() || !threads_.open()) return kExitBootFailure;
  control_.start();
  std::vector<pollfd> listening = listenSet(control_);
  std::vector<pollfd> set;
  const std::size_t limit = control_.config().max_connections;
  while (!control_.quitting() && !control_.terminating()) {
    // At max_connections threads nobody accepts: new clients wait in the kernel's backlog.
    bool room = threads_.joinFinished() < limit;
    set.assign({{threads_.finishedFd(), POLLIN, 0}});
    if (room) set.insert(set.end(), listening.begin(), listening.end());
    if (control_.wait(set, far(), /*idle=*/true) != Wake::Ready || !room) continue;
    net::UniqueFd fd = acceptOne(set.data() + 1, set.size() - 1, control_.slot());
    if (!fd) continue;
    auto job = std::make_unique<Job>(Job{this, std::move(fd)});
    if (int error = threads_.start(serveJob, job.get()); error != 0) {
      spdlog::error("worker {}: cannot start a connection thread: {}; closing the connection",
                    control_.slot(), std::strerror(error));
      continue;
    }
    job.release();  // the thread's now
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
  std::string peer = prepareAccepted(job->self->control_, job->fd.get());
  serveConnection(job->self->control_, std::move(job->fd), std::move(peer));
}

// ---- threads-accept --------------------------------------------------------------------------

ThreadsAcceptWorker::ThreadsAcceptWorker(const WorkerContext& context)
    : serve_(context.config, context.root, nullptr, context.status), control_(context, serve_) {}

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
  if (serve_.status != nullptr) serve_.status->threads.store(wanted, std::memory_order_relaxed);
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
  std::vector<pollfd> listening = listenSet(control);
  for (;;) {
    self.in_accept_.fetch_add(1);
    if (control.quitting() || control.terminating()) {
      self.in_accept_.fetch_sub(1);
      return;
    }
    Wake wake = control.wait(listening, far(), /*idle=*/true);
    net::UniqueFd fd;
    if (wake == Wake::Ready) fd = acceptOne(listening.data(), listening.size(), control.slot());
    self.in_accept_.fetch_sub(1);
    if (!fd) continue;
    std::string peer = prepareAccepted(control, fd.get());
    serveConnection(control, std::move(fd), std::move(peer));
  }
}

// ---- threads-queue ---------------------------------------------------------------------------

ThreadsQueueWorker::ThreadsQueueWorker(const WorkerContext& context)
    : serve_(context.config, context.root, nullptr, context.status),
      control_(context, serve_),
      min_threads_(std::max(1U, std::min(context.config.min_threads, context.config.threads))),
      max_threads_(std::max(1U, context.config.threads)),
      capacity_(kQueuePerThread * max_threads_),
      status_(context.status) {
  if (context.config.min_threads == 0) min_threads_ = max_threads_;
}

int ThreadsQueueWorker::run() {
  space_fd_.reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!control_.open() || !threads_.open() || !space_fd_) return kExitBootFailure;
  for (unsigned i = 0; i < min_threads_; ++i) grow();
  if (alive_ < min_threads_) {
    control_.beginTerminate();
    threads_.joinAll();
    return kExitBootFailure;
  }
  reportThreads("started");
  control_.start();
  // The listening sockets, and the pool's finished-thread eventfd so that threads that shrank
  // the pool are joined at once.
  std::vector<pollfd> listening = listenSet(control_);
  const std::size_t listeners = listening.size();
  listening.push_back({threads_.finishedFd(), POLLIN, 0});
  std::vector<pollfd> space{{space_fd_.get(), POLLIN, 0}};
  net::UniqueFd pending;  // accepted, waiting for a queue slot
  while (!control_.quitting() && !control_.terminating()) {
    threads_.joinFinished();
    if (pending) {
      // The queue is full: nobody accepts, new clients wait in the backlog.
      if (push(pending)) continue;
      control_.wait(space, SteadyClock::now() + ModelControl::kSlice, /*idle=*/true);
      clearEvent(space_fd_.get());
      continue;
    }
    if (control_.wait(listening, far(), /*idle=*/true) != Wake::Ready) continue;
    pending = acceptOne(listening.data(), listeners, control_.slot());
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

// Control thread. False (and `fd` kept) when the queue is full.
bool ThreadsQueueWorker::push(net::UniqueFd& fd) {
  bool more_threads = false;
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= capacity_) {
      waiting_for_space_ = true;
      return false;
    }
    queue_.push_back(std::move(fd));
    // Work waits and no thread is free to take it: the pool may grow.
    more_threads = queue_.size() > idle_ && alive_ < max_threads_;
  }
  ready_.notify_one();
  if (more_threads) {
    grow();
    reportThreads("grew");
  }
  return true;
}

// Control thread.
void ThreadsQueueWorker::grow() {
  {
    std::lock_guard lock(mutex_);
    ++alive_;
  }
  if (int error = threads_.start(consumerLoop, this); error != 0) {
    std::lock_guard lock(mutex_);
    --alive_;
    spdlog::error("worker {}: cannot start a pool thread: {}", control_.slot(),
                  std::strerror(error));
  }
}

void ThreadsQueueWorker::reportThreads(const char* why) {
  unsigned count = 0;
  {
    std::lock_guard lock(mutex_);
    count = alive_;
  }
  if (status_ != nullptr) status_->threads.store(count, std::memory_order_relaxed);
  spdlog::info("worker {}: threads-queue pool {}: {} thread(s) ({}..{})", control_.slot(), why,
               count, min_threads_, max_threads_);
}

void ThreadsQueueWorker::consumerLoop(void* arg) { static_cast<ThreadsQueueWorker*>(arg)->consume(); }

void ThreadsQueueWorker::consume() {
  for (;;) {
    net::UniqueFd fd;
    {
      std::unique_lock lock(mutex_);
      ++idle_;
      auto shrink_at = SteadyClock::now() + kShrinkAfter;
      while (queue_.empty() && !closed_) {
        bool timed_out = ready_.wait_until(lock, shrink_at) == std::cv_status::timeout;
        if (timed_out && queue_.empty() && !closed_ && alive_ > min_threads_) {
          --idle_;
          --alive_;
          lock.unlock();
          reportThreads("shrank");
          return;
        }
        if (timed_out) shrink_at = SteadyClock::now() + kShrinkAfter;
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
    std::string peer = prepareAccepted(control_, fd.get());
    serveConnection(control_, std::move(fd), std::move(peer));
  }
}

}  // namespace learnhttpd::worker
