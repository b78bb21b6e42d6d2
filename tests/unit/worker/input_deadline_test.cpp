// SPDX-License-Identifier: MIT
// InputDeadline: which timeout a connection waits under, for a session in each state.

#include "worker/input_deadline.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string_view>
#include <thread>

#include "session_invariants.hpp"

namespace learnhttpd::worker {
namespace {

using namespace std::chrono_literals;
using fuzz::kNow;

class InputDeadlineTest : public ::testing::Test {
 protected:
  InputDeadlineTest() {
    config_.keepalive_timeout = 75s;
    config_.header_timeout = 10s;
  }
  void feed(protocol::Http1Session& s, std::string_view bytes) {
    auto space = s.inputSpace();
    std::copy(bytes.begin(), bytes.end(), space.begin());
    s.received(bytes.size());
    s.process(kNow);
  }
  config::Config config_;
  fuzz::SessionWorld world_;
  InputDeadline deadline_;
};

TEST_F(InputDeadlineTest, NewConnectionGetsHeaderTimeout) {
  protocol::Http1Session s(world_.context, "");
  EXPECT_EQ(deadline_.next(s, config_, false), 10s);
}

TEST_F(InputDeadlineTest, IdleBetweenRequestsGetsKeepAliveTimeout) {
  protocol::Http1Session s(world_.context, "");
  feed(s, "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(s.requestsServed(), 1u);
  EXPECT_FALSE(s.midRequest());
  EXPECT_EQ(deadline_.next(s, config_, false), 75s);
}

// The budget runs on the steady clock inside InputDeadline; 30 ms of real time is the least
// this test can wait to see that a trickled head does not get a fresh budget.
TEST_F(InputDeadlineTest, TricklingHeadCountsFromItsFirstByte) {
  protocol::Http1Session s(world_.context, "");
  feed(s, "GET /a.txt HTTP/1.1\r\n");
  ASSERT_TRUE(s.midRequest());
  EXPECT_EQ(deadline_.next(s, config_, false), 10s);
  std::this_thread::sleep_for(30ms);
  feed(s, "Host: x\r\n");
  auto left = deadline_.next(s, config_, false);
  EXPECT_LE(left, 10s - 30ms);  // not 10 s again
  EXPECT_GT(left, 5s);
}

TEST_F(InputDeadlineTest, NeverZeroOrNegative) {
  config_.header_timeout = 1ms;
  protocol::Http1Session s(world_.context, "");
  feed(s, "GET /a.txt HTTP/1.1\r\n");
  EXPECT_EQ(deadline_.next(s, config_, false), 1ms);
  std::this_thread::sleep_for(5ms);
  EXPECT_EQ(deadline_.next(s, config_, false), 1ms);
}

TEST_F(InputDeadlineTest, NextHeadStartsItsOwnClock) {
  protocol::Http1Session s(world_.context, "");
  feed(s, "GET /a.txt HTTP/1.1\r\n");
  EXPECT_EQ(deadline_.next(s, config_, false), 10s);
  std::this_thread::sleep_for(30ms);
  feed(s, "Host: x\r\n\r\nGET /a.txt HTTP/1.1\r\n");  // answered, and the next head begun
  ASSERT_TRUE(s.midRequest());
  EXPECT_EQ(deadline_.next(s, config_, false), 10s);
}

TEST_F(InputDeadlineTest, StoppingShortensIdleWaitsOnly) {
  protocol::Http1Session idle(world_.context, "");
  feed(idle, "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(deadline_.next(idle, config_, true), kDrainGrace);
  InputDeadline other;
  protocol::Http1Session mid(world_.context, "");
  feed(mid, "GET /a.txt HTTP/1.1\r\n");
  EXPECT_EQ(other.next(mid, config_, true), 10s);  // a request under way may finish
}

}  // namespace
}  // namespace learnhttpd::worker
