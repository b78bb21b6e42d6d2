// SPDX-License-Identifier: MIT
#pragma once
// The thread-based blocking models (docs/models.md). Each serves a connection with the
// blocking driver (serveConnection) on one thread, from its first byte to its close:
//   ThreadPerConnectionWorker  the control thread accepts and starts a thread per connection.
//                              At most max_connections threads: at the bound nobody accepts
//                              and new clients wait in the kernel's backlog until one ends.
//   ThreadsAcceptWorker        `threads` threads, each waiting on the listening sockets itself
//                              and serving what it accepted (prefork, with threads).
//   ThreadsQueueWorker         the control thread accepts and queues; a pool of threads takes
//                              connections from the bounded queue and serves each to its end.
//                              Idle keep-alive clients pin its threads: with every thread held,
//                              new connections wait in the queue (then the backlog) until a
//                              keep-alive client leaves or times out -- the model's known
//                              weakness, which `threadpool` exists to fix. With
//                              `threads: MIN..MAX` the pool grows while connections wait and no
//                              thread is free, and a thread idle for thread_idle_timeout exits
//                              while more than MIN remain (PoolSizer; the control thread joins
//                              it and reports the count: PoolReport).
//
// Threads: the worker's Worker::run thread is the control thread (ModelControl: signals,
// heartbeat); it alone accepts (except in threads-accept), starts and joins threads and closes
// the listening sockets. Serving threads are created with the control signals blocked and only
// call serveConnection(). Ownership of a connection passes with its descriptor: the accepting
// thread hands it over (thread argument, or the queue under its mutex) and never touches it
// again. Stopping: QUIT ends accepting, lets every connection finish (idle ones get the short
// last call); TERM wakes every thread through ModelControl's stop descriptor and joins them.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <vector>

#include "base/unique_fd.hpp"
#include "protocol/session_context.hpp"
#include "worker/model_control.hpp"
#include "worker/pool_sizer.hpp"
#include "worker/thread_set.hpp"
#include "worker/worker.hpp"

namespace learnhttpd::worker {

class ThreadPerConnectionWorker final : public Worker {
 public:
  explicit ThreadPerConnectionWorker(const WorkerContext& context);
  int run() override;

 private:
  struct Job;
  static void serveJob(void* arg);

  protocol::SessionContext serve_;
  ModelControl control_;
  ThreadSet threads_;
};

class ThreadsAcceptWorker final : public Worker {
 public:
  explicit ThreadsAcceptWorker(const WorkerContext& context);
  int run() override;

 private:
  static void acceptLoop(void* arg);

  protocol::SessionContext serve_;
  ModelControl control_;
  ThreadSet threads_;
  std::atomic<unsigned> in_accept_{0};  // threads that may be polling the listening sockets
};

class ThreadsQueueWorker final : public Worker {
 public:
  explicit ThreadsQueueWorker(const WorkerContext& context);
  int run() override;

 private:
  static void consumerLoop(void* arg);
  void consume();
  bool push(base::UniqueFd& fd);
  bool grow();
  SteadyClock::time_point joinAndReport();

  protocol::SessionContext serve_;
  ModelControl control_;
  ThreadSet threads_;
  PoolSizer sizer_;
  PoolReport report_;  // control thread
  std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<base::UniqueFd> queue_;  // guarded by mutex_
  unsigned idle_ = 0;                 // consumers waiting in consume(), guarded by mutex_
  unsigned alive_ = 0;                // consumers started and not exited, guarded by mutex_
  bool closed_ = false;               // no more items: consumers exit once the queue is empty
  base::UniqueFd space_fd_;           // eventfd: a slot freed while the control thread waited
  bool waiting_for_space_ = false;    // guarded by mutex_
};

}  // namespace learnhttpd::worker
