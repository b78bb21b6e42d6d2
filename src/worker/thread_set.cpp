// SPDX-License-Identifier: MIT
#include "worker/thread_set.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <memory>

namespace learnhttpd::worker {
namespace {

// A serving thread needs little stack (buffers live on the heap); the default 8 MiB would make
// ten thousand threads reserve 80 GiB of address space.
constexpr std::size_t kStackSize = std::size_t{256} * 1024;

}  // namespace

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
  // A new thread inherits the creating thread's mask: block everything around the create, so
  // a process-directed signal can only ever go to the owning thread (which may have them
  // unblocked, as the libevent loop thread has).
  sigset_t all;
  sigset_t previous;
  ::sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &previous);
  pthread_t thread{};
  int error = 0;
  {
    // Held across create and record, so a thread that ends at once finds itself recorded.
    std::lock_guard lock(mutex_);
    error = ::pthread_create(&thread, &attr, trampoline, start.get());
    if (error == 0) {
      static_cast<void>(start.release());  // the thread's now
      running_.push_back(thread);
    }
  }
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  ::pthread_attr_destroy(&attr);
  return error;
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
  std::uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(finished_fd_.get(), &one, sizeof one);
}

std::size_t ThreadSet::joinFinished() {
  std::uint64_t count = 0;
  [[maybe_unused]] ssize_t n = ::read(finished_fd_.get(), &count, sizeof count);
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

}  // namespace learnhttpd::worker
