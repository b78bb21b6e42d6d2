// SPDX-License-Identifier: MIT
#pragma once
// BoundedQueue: a fixed-capacity FIFO from one producer thread to a pool of consumer threads
// (one mutex, one condition variable). The producer never blocks: tryPush() says "full" and
// the producer applies back-pressure. Consumers block in pop() until an item or close().
// Every member is safe to call from any thread. Meant for cheap-to-copy items (pointers).
//
// Wake-ups are rationed: a push wakes a sleeping consumer only when the queue holds more than
// kItemsPerRunning items per running consumer (running ones come back to pop() by themselves).
// Every wake-up is a context switch, and on a box with few cores more runnable threads only
// take turns on the same core; short requests are better served back to back by a thread that
// is already awake. That trust needs consumers that never wait long with an item in hand: the
// thread pool's threads hand a connection back to the loop rather than wait on its client.
//
// A pool that grows and shrinks (setSizer, `threads: MIN..MAX`) follows the same arithmetic:
// push() asks for one more consumer when the items exceed what the running consumers take in
// turn and no sleeper is left to wake (work waits and no thread is idle), and a consumer that
// finds nothing to do for the idle period leaves pop() (nullopt) while more than MIN remain.
// Both decisions are PoolSizer's, taken under the queue's lock together with the counts they
// change, so a leaving consumer never strands an item and two never leave below MIN at once.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <vector>

#include "worker/pool_sizer.hpp"

namespace learnhttpd::worker {

template <typename T>
class BoundedQueue {
 public:
  static constexpr std::size_t kItemsPerRunning = 4;

  explicit BoundedQueue(std::size_t capacity) : ring_(capacity > 0 ? capacity : 1) {}

  // What push() did. `taken`: false when the queue is full or closed (the item is then not
  // taken). `grow`: the pool should have one more consumer (only with a sizer); its place is
  // counted from now on, and the caller starts the thread or gives the place back
  // (removeConsumer()).
  struct Pushed {
    bool taken = false;
    bool grow = false;
  };

  Pushed push(T item) {
    Pushed result;
    bool wake = false;
    {
      std::lock_guard lock(mutex_);
      if (closed_) return result;
      if (count_ < ring_.size()) {
        ring_[(head_ + count_) % ring_.size()] = item;
        ++count_;
        result.taken = true;
        wake = claimWake();
      }
      result.grow = claimGrow();
    }
    // Notified outside the lock, so the woken consumer does not block on it at once.
    if (wake) ready_.notify_one();
    return result;
  }

  // False when the queue is full or closed; the item is then not taken.
  bool tryPush(T item) { return push(item).taken; }

  // The oldest item; blocks while the queue is empty. nullopt once closed, even if items are
  // left (their owner deals with them after the consumers have stopped), or -- with a sizer --
  // when this consumer retires (it no longer counts as one).
  std::optional<T> pop() {
    std::unique_lock lock(mutex_);
    ++waiting_;
    std::optional<PoolSizer::Clock::time_point> idle_since;
    while (!closed_ && count_ == 0) {
      if (sizer_ && sizer_->mayShrink(consumers_)) {
        if (!idle_since) idle_since = PoolSizer::Clock::now();
        ready_.wait_until(lock, sizer_->retireAt(*idle_since));
      } else {
        ready_.wait(lock);
      }
      // Each return from wait() spends one claimed wake-up, whether this thread leaves or
      // sleeps on (the item went to a consumer that came by meanwhile): a count left too high
      // would make running() believe in a consumer that never comes.
      if (wakes_ > 0) --wakes_;
      if (idle_since && !closed_ && count_ == 0 &&
          sizer_->shouldRetire(*idle_since, PoolSizer::Clock::now(), consumers_)) {
        --waiting_;
        --consumers_;
        return std::nullopt;
      }
    }
    --waiting_;
    if (closed_) return std::nullopt;
    T item = ring_[head_];
    head_ = (head_ + 1) % ring_.size();
    --count_;
    return item;
  }

  // Wakes every consumer; pop() returns nullopt from now on.
  void close() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    ready_.notify_all();
  }

  // The number of consumer threads (call once they exist).
  void setConsumers(unsigned consumers) {
    std::lock_guard lock(mutex_);
    consumers_ = consumers;
  }

  // Lets the pool grow and shrink by `sizer`'s rules; call before the consumers start.
  void setSizer(const PoolSizer& sizer) {
    std::lock_guard lock(mutex_);
    sizer_ = sizer;
  }

  // Gives back the place push() reserved when the consumer could not be started.
  void removeConsumer() {
    std::lock_guard lock(mutex_);
    if (consumers_ > 0) --consumers_;
  }

  // Consumers counted now: started, or reserved by push(), and not retired.
  unsigned consumers() {
    std::lock_guard lock(mutex_);
    return consumers_;
  }

  std::size_t capacity() const noexcept { return ring_.size(); }

  // Consumers asleep in pop() that no push has claimed to wake (for tests and diagnostics).
  unsigned sleepers() {
    std::lock_guard lock(mutex_);
    return waiting_ - wakes_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::vector<T> ring_;
  std::size_t head_ = 0;
  std::size_t count_ = 0;
  // Whether to wake a sleeper for the queued items; if so, counts it as woken.
  bool claimWake() noexcept {
    if (waiting_ == wakes_ || count_ <= kItemsPerRunning * running()) return false;
    ++wakes_;
    return true;
  }

  // Whether the pool should grow (see the header); if so, counts the new consumer in.
  bool claimGrow() noexcept {
    if (!sizer_) return false;
    const std::size_t absorbed = kItemsPerRunning * running();
    const std::size_t waiting_work = count_ > absorbed ? count_ - absorbed : 0;
    if (!sizer_->shouldGrow(waiting_work, waiting_ - wakes_, consumers_)) return false;
    ++consumers_;
    return true;
  }

  // Consumers that will come back to pop() without a wake-up: not asleep (unless already woken).
  std::size_t running() const noexcept {
    unsigned idle = waiting_ - wakes_;
    return consumers_ > idle ? consumers_ - idle : 0;
  }

  unsigned consumers_ = 0;
  unsigned waiting_ = 0;  // consumers asleep in pop()
  unsigned wakes_ = 0;    // of those, woken and not yet back (never more than waiting_)
  bool closed_ = false;
  std::optional<PoolSizer> sizer_;  // nullopt: a fixed pool
};

}  // namespace learnhttpd::worker
