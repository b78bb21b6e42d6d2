// BoundedQueue: FIFO, back-pressure, close, and the wake-up rationing (a push wakes a sleeper
// only when the items per running consumer exceed kItemsPerRunning). Consumer threads are
// real; the test waits for them through sleepers() (their state inside the queue), never by
// sleeping.

#include "worker/bounded_queue.hpp"

#include <gtest/gtest.h>

#include <atomic>
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

TEST(BoundedQueueRationing, BlockedConsumerHandsItsShareToASleeper) {
  BoundedQueue<int> q(64);
  Pool pool(q, 2);
  ASSERT_TRUE(eventually([&] { return q.sleepers() == 2; }));
  ASSERT_TRUE(q.tryPush(0));
  ASSERT_TRUE(eventually([&] { return pool.taken() == 1 && q.sleepers() == 1; }));
  ASSERT_TRUE(q.tryPush(1));
  EXPECT_EQ(q.sleepers(), 1u);
  q.blocked(true);  // the running one now waits on a slow client: wake the sleeper
  EXPECT_EQ(q.sleepers(), 0u);
  ASSERT_TRUE(eventually([&] { return pool.taken() == 2; }));
  q.blocked(false);
}

TEST(BoundedQueueRationing, NoSleeperNoWake) {
  BoundedQueue<int> q(64);
  q.setConsumers(1);  // it exists but is not in pop(): nothing to wake
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(q.tryPush(i));
  EXPECT_EQ(q.sleepers(), 0u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(q.pop(), i);
}

}  // namespace
}  // namespace learnhttpd::worker
