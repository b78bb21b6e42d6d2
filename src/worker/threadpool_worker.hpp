// SPDX-License-Identifier: MIT
#pragma once
// The thread-pool model, half-sync/half-async: the worker's loop thread (WorkerLoop: accept,
// signals, timers) owns every idle connection and watches it for input; a connection with
// bytes to read is handed to a pool of threads through a bounded queue; a pool thread reads,
// answers and sends, without ever waiting, until the socket has nothing more to read or its
// send buffer is full, then hands the connection back to the loop through a return list and an
// eventfd wake-up. The loop waits for input again, or for the socket to become writable (for
// up to send_timeout, then closes it, as the event model does) and dispatches it once more.
// Neither an idle keep-alive connection nor a client that stops reading ever pins a thread.
//
// Ownership: a connection belongs to exactly one thread at a time. The loop thread creates
// it, owns it while it waits for input or writability (or waits for a queue slot), and is the
// only one that closes it or touches the connection list and libevent. Between the push onto
// the queue and its hand-back a single pool thread owns its socket and Session; the loop
// then touches only the socket number (shutdown() on fast stop). The queue's and the return
// list's mutexes order each hand-over.
//
// Back-pressure: when the queue is full, ready connections wait (in order) for a slot and the
// loop stops accepting until the queue has room again; nothing grows without bound.
// Threads are created after fork, with every signal blocked: only the loop thread ever takes
// signals. Pool size: `threads: N` runs N threads; `threads: MIN..MAX` starts MIN, and the loop
// thread starts one more whenever a push finds work waiting and no thread idle (up to MAX); a
// thread idle for thread_idle_timeout leaves the queue and exits while more than MIN remain
// (BoundedQueue with a PoolSizer). The loop thread alone starts and joins pool threads (woken
// by ThreadSet's eventfd) and reports the count (PoolReport: status slot, rate-limited log).

#include <atomic>
#include <chrono>
#include <deque>
#include <list>
#include <mutex>
#include <string>
#include <vector>

#include "base/unique_fd.hpp"
#include "protocol/session.hpp"
#include "protocol/session_context.hpp"
#include "worker/bounded_queue.hpp"
#include "worker/libevent_handles.hpp"
#include "worker/pool_sizer.hpp"
#include "worker/thread_set.hpp"
#include "worker/worker.hpp"
#include "worker/worker_loop.hpp"

namespace learnhttpd::worker {

class ThreadPoolWorker final : public Worker, private WorkerLoop::Model {
 public:
  explicit ThreadPoolWorker(const WorkerContext& context);
  ~ThreadPoolWorker() override;
  int run() override;

 private:
  struct Connection;
  using ConnectionList = std::list<Connection>;
  // What a pool thread hands a connection back for.
  enum class Next { WaitForInput, WaitForOutput, Finish, Close };

  // WorkerLoop::Model (loop thread)
  void accepted(base::UniqueFd fd, std::string peer, bool tls) override;
  void gracefulStop() override;
  void fastStop() override;

  // Loop thread.
  static void onReadable(evutil_socket_t fd, short what, void* arg);
  static void onWritable(evutil_socket_t fd, short what, void* arg);
  static void onHandBack(evutil_socket_t fd, short what, void* arg);
  static void onVerified(evutil_socket_t fd, short what, void* arg);
  void dispatch(Connection& conn);
  void dispatchWaiting();
  bool push(Connection* conn);
  void takeBack(Connection& conn);
  void waitForInput(Connection& conn);
  void waitForOutput(Connection& conn);
  void close(Connection& conn);
  bool startThreads();
  void stopThreads();
  void grow();
  void reportThreads();
  void armReportTimer(std::chrono::steady_clock::time_point now);
  static void onThreadFinished(evutil_socket_t fd, short what, void* arg);
  static void onReportDue(evutil_socket_t fd, short what, void* arg);

  // Pool threads.
  static void servePoolThread(void* arg);
  void servePool();
  Next serve(Connection& conn);
  void handBack(Connection& conn, Next next);

  const config::Config& config_;
  protocol::SessionContext serve_;
  WorkerLoop loop_;
  base::UniqueFd wake_fd_;  // eventfd: pool threads -> loop thread
  EventPtr wake_event_;
  PoolSizer sizer_;
  BoundedQueue<Connection*> queue_;  // loop thread -> pool threads
  std::mutex back_mutex_;
  std::vector<Connection*> back_;      // handed back, guarded by back_mutex_
  std::vector<Connection*> taken_;     // loop thread: the batch being taken back
  std::atomic<bool> stopping_{false};  // graceful stop: answer with "Connection: close"
  std::atomic<bool> quit_{false};      // fast stop: drop everything after the current step
  ConnectionList connections_;         // loop thread; after loop_: freed before its base
  std::deque<Connection*> waiting_;    // loop thread: ready, but the queue was full
  PoolReport report_;                  // loop thread
  ThreadSet threads_;                  // started and joined by the loop thread
  // Basic auth (loop thread): connections whose answer waits for a credential check, the
  // wake-up of the checks' thread, and how many wake-ups came (a connection handed back from
  // the pool asks again at once when one came while a thread had it).
  std::vector<Connection*> awaiting_;
  EventPtr verified_event_;
  std::uint64_t verified_epoch_ = 0;
  EventPtr finished_event_;            // a pool thread exited (retired)
  EventPtr report_timer_;              // a held pool-size log line is due
};

}  // namespace learnhttpd::worker
