// SPDX-License-Identifier: MIT
#pragma once
// ThreadSet: the serving threads of a worker model that starts and ends threads while it runs
// (thread-per-connection, threads-accept, threads-queue, threadpool), and the ones that have
// finished and wait to be joined.
//
// Threads: start(), joinFinished() and joinAll() on the owning thread only (the one that
// starts threads: a model's control or loop thread); running() and finishedFd() from any
// thread. A started thread runs body(arg) with every signal blocked (only the owning thread
// takes signals) on a small stack, then records itself as finished and makes finishedFd()
// readable, so the owner can join it at once.

#include <pthread.h>

#include <cstddef>
#include <mutex>
#include <vector>

#include "base/unique_fd.hpp"

namespace learnhttpd::worker {

class ThreadSet {
 public:
  using Body = void (*)(void* arg);

  // Creates the finished-thread eventfd; false on error (errno set).
  bool open();
  // Starts a thread running body(arg); 0, or the pthread_create error (then nothing started).
  int start(Body body, void* arg);
  // Joins the threads that have finished; returns how many are still running.
  std::size_t joinFinished();
  // Joins every thread, finished or not (the caller has told them to stop).
  void joinAll();
  std::size_t running() const;
  // Readable when a thread has finished (an eventfd), for a poll set or an event loop.
  int finishedFd() const noexcept { return finished_fd_.get(); }

 private:
  struct Start;
  static void* trampoline(void* arg);
  void finished(pthread_t self);

  mutable std::mutex mutex_;
  std::vector<pthread_t> running_;   // guarded by mutex_
  std::vector<pthread_t> finished_;  // guarded by mutex_
  base::UniqueFd finished_fd_;
};

}  // namespace learnhttpd::worker
