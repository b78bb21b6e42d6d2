// SPDX-License-Identifier: MIT
// PoolSizer's rules for a pool that grows and shrinks (`threads: MIN..MAX`), and PoolCountLog's
// rate limit on the line that reports the pool's size. Pure decisions over counts and times:
// every case is spelled out, no thread and no clock involved.

#include "worker/pool_sizer.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace learnhttpd::worker {
namespace {

using namespace std::chrono_literals;
using Clock = PoolSizer::Clock;

const Clock::time_point t0 = Clock::time_point() + 100h;

TEST(PoolSizer, GrowsWhenWorkWaitsAndNoThreadIsIdle) {
  PoolSizer sizer(1, 8, 3s);
  EXPECT_TRUE(sizer.shouldGrow(1, 0, 1));
  EXPECT_TRUE(sizer.shouldGrow(5, 0, 7));
}

TEST(PoolSizer, DoesNotGrowWhileIdleThreadsCanTakeTheWork) {
  PoolSizer sizer(1, 8, 3s);
  EXPECT_FALSE(sizer.shouldGrow(0, 0, 1));  // nothing waits
  EXPECT_FALSE(sizer.shouldGrow(1, 1, 2));  // a thread is idle for it
  EXPECT_FALSE(sizer.shouldGrow(3, 3, 4));
  EXPECT_TRUE(sizer.shouldGrow(4, 3, 4));  // one more item than idle threads
}

TEST(PoolSizer, NeverGrowsPastMax) {
  PoolSizer sizer(2, 4, 3s);
  EXPECT_TRUE(sizer.shouldGrow(100, 0, 3));
  EXPECT_FALSE(sizer.shouldGrow(100, 0, 4));
  EXPECT_FALSE(sizer.shouldGrow(100, 0, 5));  // never asked for, never granted
}

TEST(PoolSizer, RetiresAThreadIdleForTheWholePeriod) {
  PoolSizer sizer(1, 8, 3s);
  EXPECT_EQ(sizer.retireAt(t0), t0 + 3s);
  EXPECT_FALSE(sizer.shouldRetire(t0, t0, 3));
  EXPECT_FALSE(sizer.shouldRetire(t0, t0 + 2999ms, 3));
  EXPECT_TRUE(sizer.shouldRetire(t0, t0 + 3s, 3));
  EXPECT_TRUE(sizer.shouldRetire(t0, t0 + 1h, 2));
}

TEST(PoolSizer, NeverRetiresBelowMin) {
  PoolSizer sizer(2, 8, 1s);
  EXPECT_TRUE(sizer.mayShrink(3));
  EXPECT_TRUE(sizer.shouldRetire(t0, t0 + 1h, 3));
  EXPECT_FALSE(sizer.mayShrink(2));
  EXPECT_FALSE(sizer.shouldRetire(t0, t0 + 1h, 2));
  EXPECT_FALSE(sizer.shouldRetire(t0, t0 + 1h, 1));
}

TEST(PoolSizer, AFixedPoolNeitherGrowsNorShrinks) {
  PoolSizer sizer(4, 4, 1s);
  EXPECT_TRUE(sizer.fixed());
  EXPECT_FALSE(sizer.shouldGrow(100, 0, 4));
  EXPECT_FALSE(sizer.mayShrink(4));
  EXPECT_FALSE(sizer.shouldRetire(t0, t0 + 1h, 4));
}

TEST(PoolSizer, BoundsAreMadeSane) {
  PoolSizer zero(0, 0, 1s);
  EXPECT_EQ(zero.min(), 1U);
  EXPECT_EQ(zero.max(), 1U);
  PoolSizer inverted(6, 2, 1s);
  EXPECT_EQ(inverted.min(), 6U);
  EXPECT_EQ(inverted.max(), 6U);
}

TEST(PoolSizer, FromConfig) {
  config::Config config;
  config.threads = 8;
  PoolSizer fixed = PoolSizer::fromConfig(config);  // "threads: 8"
  EXPECT_EQ(fixed.min(), 8U);
  EXPECT_EQ(fixed.max(), 8U);
  EXPECT_TRUE(fixed.fixed());
  config.min_threads = 2;  // "threads: 2..8"
  config.thread_idle_timeout = 1500ms;
  PoolSizer range = PoolSizer::fromConfig(config);
  EXPECT_EQ(range.min(), 2U);
  EXPECT_EQ(range.max(), 8U);
  EXPECT_EQ(range.idlePeriod(), 1500ms);
  EXPECT_FALSE(range.fixed());
}

TEST(PoolCountLog, LogsTheFirstCountAndEachChangeWhenQuiet) {
  PoolCountLog log;
  EXPECT_TRUE(log.changed(1, t0));
  EXPECT_EQ(log.logged(), 1U);
  EXPECT_FALSE(log.changed(1, t0 + 5s));  // no change, no line
  EXPECT_TRUE(log.changed(3, t0 + 10s));
  EXPECT_EQ(log.logged(), 3U);
  EXPECT_EQ(log.dueAt(), std::nullopt);
}

TEST(PoolCountLog, HoldsChangesWithinTheIntervalAndLogsTheLatestWhenDue) {
  PoolCountLog log;
  ASSERT_TRUE(log.changed(1, t0));
  EXPECT_FALSE(log.changed(2, t0 + 100ms));
  EXPECT_FALSE(log.changed(3, t0 + 200ms));
  EXPECT_FALSE(log.changed(4, t0 + 300ms));
  EXPECT_EQ(log.dueAt(), t0 + PoolCountLog::kInterval);
  EXPECT_EQ(log.due(t0 + 999ms), std::nullopt);
  EXPECT_EQ(log.due(t0 + 1s), 4U);  // one line for three changes
  EXPECT_EQ(log.logged(), 4U);
  EXPECT_EQ(log.dueAt(), std::nullopt);
  EXPECT_EQ(log.due(t0 + 5s), std::nullopt);
  // The interval now runs from that line.
  EXPECT_FALSE(log.changed(5, t0 + 1500ms));
  EXPECT_EQ(log.dueAt(), t0 + 2s);
}

TEST(PoolCountLog, AChangeUndoneWithinTheIntervalIsNotLogged) {
  PoolCountLog log;
  ASSERT_TRUE(log.changed(2, t0));
  EXPECT_FALSE(log.changed(3, t0 + 100ms));
  EXPECT_FALSE(log.changed(2, t0 + 200ms));
  EXPECT_EQ(log.dueAt(), std::nullopt);
  EXPECT_EQ(log.due(t0 + 2s), std::nullopt);
}

TEST(PoolCountLog, AtMostOneLinePerIntervalUnderChurn) {
  PoolCountLog log;
  int lines = 0;
  auto now = t0;
  for (int i = 0; i < 1000; ++i) {  // ten seconds of a pool changing every 10 ms
    now += 10ms;
    if (log.changed(1 + static_cast<unsigned>(i % 7), now)) ++lines;
    if (log.due(now)) ++lines;
  }
  EXPECT_LE(lines, 11);
  EXPECT_GE(lines, 9);
}

}  // namespace
}  // namespace learnhttpd::worker
