// SPDX-License-Identifier: MIT
// BoundedQueue: FIFO, back-pressure, close, and the wake-up rationing (a push wakes a sleeper
// only when the items per running consumer exceed kItemsPerRunning), and a pool that grows and
// shrinks with a PoolSizer (push asks for a consumer where it would wake a sleeper but has none;
// an idle consumer retires while more than MIN remain). Consumer threads are real; the test
// waits for them through sleepers() and consumers() (their state inside the queue), never by
// sleeping.

#include "worker/bounded_queue.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace learnhttpd::worker {
namespace {

// Spins (yielding) until `done()`; fails the test after many rounds instead of hanging.
template <typename Pred>
bool eventually(Pred done) {
  for (long i = 0; i < 50'000'000; ++i) {
    if (done()) return true;
    std::this_thread::yield();
  }
  return done();
}

TEST(BoundedQueue, FifoAndFull) {
  BoundedQueue<int> q(3);
  EXPECT_TRUE(q.tryPush(1));
  EXPECT_TRUE(q.tryPush(2));
  EXPECT_TRUE(q.tryPush(3));
  EXPECT_FALSE(q.tryPush(4));  // full: refused, not taken
  EXPECT_EQ(q.pop(), 1);
  EXPECT_TRUE(q.tryPush(4));
  EXPECT_EQ(q.pop(), 2);
  EXPECT_EQ(q.pop(), 3);
  EXPECT_EQ(q.pop(), 4);
}

TEST(BoundedQueue, ZeroCapacityMeansOne) {
  BoundedQueue<int> q(0);
  EXPECT_EQ(q.capacity(), 1u);
  EXPECT_TRUE(q.tryPush(1));
  EXPECT_FALSE(q.tryPush(2));
}

TEST(BoundedQueue, CloseWakesSleepersAndRefusesPushes) {
  BoundedQueue<int> q(4);
  q.setConsumers(2);
  std::atomic<int> ended{0};
  std::vector<std::thread> consumers;
  consumers.reserve(2);
  for (int i = 0; i < 2; ++i) {
    consumers.emplace_back([&] {
      EXPECT_EQ(q.pop(), std::nullopt);
      ++ended;
    });
  }
  ASSERT_TRUE(eventually([&] { return q.sleepers() == 2; }));
  q.close();
  for (auto& t : consumers) t.join();
  EXPECT_EQ(ended.load(), 2);
  EXPECT_FALSE(q.tryPush(1));
  EXPECT_EQ(q.pop(), std::nullopt);  // even with items left, once closed
}

// Consumers that pop one item each, then hold it until released: "running" from the queue's
// point of view, exactly like a pool thread serving a connection.
class Pool {
 public:
  Pool(BoundedQueue<int>& q, int n) : q_(q) {
    q_.setConsumers(static_cast<unsigned>(n));
    threads_.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) threads_.emplace_back([this] { run(); });
  }
  ~Pool() {
    q_.close();
    release();
    for (auto& t : threads_) t.join();
  }
  int taken() {
    std::lock_guard lock(mutex_);
    return taken_;
  }
  void release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  void run() {
    while (auto item = q_.pop()) {
      std::unique_lock lock(mutex_);
      ++taken_;
      cv_.wait(lock, [this] { return released_; });
    }
  }
  BoundedQueue<int>& q_;
  std::mutex mutex_;
  std::condition_variable cv_;
  int taken_ = 0;
  bool released_ = false;
  std::vector<std::thread> threads_;
};

TEST(BoundedQueueRationing, FirstItemWakesOneSleeperOnly) {
  BoundedQueue<int> q(64);
  Pool pool(q, 3);
  ASSERT_TRUE(eventually([&] { return q.sleepers() == 3; }));
  ASSERT_TRUE(q.tryPush(1));
  EXPECT_EQ(q.sleepers(), 2u);  // decided at the push, under the lock
  ASSERT_TRUE(eventually([&] { return pool.taken() == 1; }));
}

TEST(BoundedQueueRationing, ARunningConsumerIsTrustedWithFourItems) {
  BoundedQueue<int> q(64);
  Pool pool(q, 2);
  ASSERT_TRUE(eventually([&] { return q.sleepers() == 2; }));
  ASSERT_TRUE(q.tryPush(0));  // wakes one; it takes the item and keeps running
  ASSERT_TRUE(eventually([&] { return pool.taken() == 1 && q.sleepers() == 1; }));
  for (int i = 1; i <= static_cast<int>(BoundedQueue<int>::kItemsPerRunning); ++i) {
    ASSERT_TRUE(q.tryPush(i));
    EXPECT_EQ(q.sleepers(), 1u) << "woke a sleeper for item " << i;
  }
  ASSERT_TRUE(q.tryPush(99));  // the fifth queued item per running consumer
  EXPECT_EQ(q.sleepers(), 0u);
  ASSERT_TRUE(eventually([&] { return pool.taken() == 2; }));
}

TEST(BoundedQueueRationing, NoSleeperNoWake) {
  BoundedQueue<int> q(64);
  q.setConsumers(1);  // it exists but is not in pop(): nothing to wake
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(q.tryPush(i));
  EXPECT_EQ(q.sleepers(), 0u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(q.pop(), i);
}

// ---- a pool that grows and shrinks ----------------------------------------------------------

using namespace std::chrono_literals;

TEST(BoundedQueueSizing, AFixedPoolNeverAsksToGrow) {
  BoundedQueue<int> q(64);
  q.setConsumers(1);
  for (int i = 0; i < 64; ++i) EXPECT_FALSE(q.push(i).grow);
  EXPECT_FALSE(q.push(64).taken);
  EXPECT_EQ(q.consumers(), 1U);
}

TEST(BoundedQueueSizing, GrowsWhereItWouldWakeASleeperButHasNone) {
  BoundedQueue<int> q(64);
  q.setSizer(PoolSizer(1, 3, 1h));
  q.setConsumers(1);  // busy, not in pop(): it takes kItemsPerRunning items in turn
  const auto per = static_cast<int>(BoundedQueue<int>::kItemsPerRunning);
  for (int i = 0; i < per; ++i) EXPECT_FALSE(q.push(i).grow) << i;
  BoundedQueue<int>::Pushed pushed = q.push(per);
  EXPECT_TRUE(pushed.taken);
  EXPECT_TRUE(pushed.grow);
  EXPECT_EQ(q.consumers(), 2U);  // the new one counts (as running) from the push on
  for (int i = per + 1; i < 2 * per; ++i) EXPECT_FALSE(q.push(i).grow) << i;
  EXPECT_TRUE(q.push(2 * per).grow);
  EXPECT_EQ(q.consumers(), 3U);
  for (int i = 0; i < 20; ++i) EXPECT_FALSE(q.push(100 + i).grow);  // MAX reached
  q.removeConsumer();  // a thread that could not be started gives its place back
  EXPECT_EQ(q.consumers(), 2U);
}

TEST(BoundedQueueSizing, ASleeperIsWokenInsteadOfGrowing) {
  BoundedQueue<int> q(64);
  q.setSizer(PoolSizer(1, 4, 1h));
  Pool pool(q, 1);
  ASSERT_TRUE(eventually([&] { return q.sleepers() == 1; }));
  BoundedQueue<int>::Pushed pushed = q.push(1);
  EXPECT_TRUE(pushed.taken);
  EXPECT_FALSE(pushed.grow);
  EXPECT_EQ(q.consumers(), 1U);
  ASSERT_TRUE(eventually([&] { return pool.taken() == 1; }));
}

TEST(BoundedQueueSizing, AFullQueueStillAsksToGrow) {
  BoundedQueue<int> q(2);
  q.setSizer(PoolSizer(1, 2, 1h));
  q.setConsumers(0);  // none running: anything queued waits
  EXPECT_TRUE(q.push(1).grow);
  EXPECT_FALSE(q.push(2).grow);  // the new consumer is trusted with its share
  q.setConsumers(0);
  BoundedQueue<int>::Pushed refused = q.push(3);
  EXPECT_FALSE(refused.taken);
  EXPECT_TRUE(refused.grow);
}

// Idle consumers retire after the idle period, down to MIN and never below it.
TEST(BoundedQueueSizing, IdleConsumersRetireDownToMin) {
  BoundedQueue<int> q(16);
  q.setSizer(PoolSizer(2, 5, 20ms));
  q.setConsumers(5);
  std::atomic<int> retired{0};
  std::vector<std::thread> consumers;
  consumers.reserve(5);
  for (int i = 0; i < 5; ++i) {
    consumers.emplace_back([&] {
      while (q.pop()) {
      }
      ++retired;  // nullopt: retired, or closed at the end of the test
    });
  }
  ASSERT_TRUE(eventually([&] { return retired.load() == 3; }));
  EXPECT_EQ(q.consumers(), 2U);
  EXPECT_TRUE(eventually([&] { return q.sleepers() == 2; }));
  EXPECT_EQ(retired.load(), 3);  // the last two stay
  q.close();
  for (auto& t : consumers) t.join();
  EXPECT_EQ(retired.load(), 5);
}

// Thousands of items through a pool that grows on demand and whose threads retire after 1 ms of
// idleness: no item may be stranded behind a consumer that retired, and MIN..MAX holds.
TEST(BoundedQueueSizing, GrowingAndRetiringNeverStrandsAnItem) {
  constexpr int kItems = 3000;
  BoundedQueue<int> q(8);
  q.setSizer(PoolSizer(1, 4, 1ms));
  std::atomic<int> done{0};
  std::atomic<int> alive{0};
  std::atomic<int> most{0};
  std::mutex threads_mutex;
  std::vector<std::thread> threads;
  auto start = [&] {
    int now = ++alive;
    int seen = most.load();
    while (now > seen && !most.compare_exchange_weak(seen, now)) {
    }
    std::lock_guard lock(threads_mutex);
    threads.emplace_back([&] {
      while (auto item = q.pop()) ++done;
      --alive;
    });
  };
  q.setConsumers(1);
  start();
  for (int i = 0; i < kItems; ++i) {
    BoundedQueue<int>::Pushed pushed;
    while (!(pushed = q.push(i)).taken) {
      if (pushed.grow) start();
      std::this_thread::yield();
    }
    if (pushed.grow) start();
    if (i % 100 == 0) std::this_thread::sleep_for(2ms);  // let idle consumers retire
  }
  EXPECT_TRUE(eventually([&] { return done.load() == kItems; })) << done.load();
  EXPECT_GE(alive.load(), 1);
  EXPECT_LE(most.load(), 4);
  q.close();
  std::lock_guard lock(threads_mutex);
  for (auto& t : threads) t.join();
}

}  // namespace
}  // namespace learnhttpd::worker
