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
// is already awake. A consumer about to wait a long time with an item in hand says so with
// blocked(true): it no longer counts as running, and a sleeper is woken for the items behind.

#include <cstddef>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <vector>

namespace learnhttpd::worker {

template <typename T>
class BoundedQueue {
 public:
  static constexpr std::size_t kItemsPerRunning = 4;

  explicit BoundedQueue(std::size_t capacity) : ring_(capacity > 0 ? capacity : 1) {}

  // False when the queue is full or closed; the item is then not taken.
  bool tryPush(T item) {
    bool wake = false;
    {
      std::lock_guard lock(mutex_);
      if (closed_ || count_ == ring_.size()) return false;
      ring_[(head_ + count_) % ring_.size()] = item;
      ++count_;
      wake = claimWake();
    }
    // Notified outside the lock, so the woken consumer does not block on it at once.
    if (wake) ready_.notify_one();
    return true;
  }

  // The oldest item; blocks while the queue is empty. nullopt once closed, even if items are
  // left (their owner deals with them after the consumers have stopped).
  std::optional<T> pop() {
    std::unique_lock lock(mutex_);
    ++waiting_;
    while (!closed_ && count_ == 0) {
      ready_.wait(lock);
      // Each return from wait() spends one claimed wake-up, whether this thread leaves or
      // sleeps on (the item went to a consumer that came by meanwhile): a count left too high
      // would make running() believe in a consumer that never comes.
      if (wakes_ > 0) --wakes_;
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

  // Called by a consumer around a long wait (a client that reads slowly).
  void blocked(bool is_blocked) {
    bool wake = false;
    {
      std::lock_guard lock(mutex_);
      blocked_ = is_blocked ? blocked_ + 1 : blocked_ - 1;
      wake = is_blocked && claimWake();
    }
    if (wake) ready_.notify_one();
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

  // Consumers that will come back to pop() without a wake-up: neither asleep (unless already
  // woken) nor blocked.
  std::size_t running() const noexcept {
    unsigned idle = waiting_ - wakes_ + blocked_;
    return consumers_ > idle ? consumers_ - idle : 0;
  }

  unsigned consumers_ = 0;
  unsigned waiting_ = 0;  // consumers asleep in pop()
  unsigned wakes_ = 0;    // of those, woken and not yet back (never more than waiting_)
  unsigned blocked_ = 0;  // consumers in a long wait with an item (see blocked())
  bool closed_ = false;
};

}  // namespace learnhttpd::worker
