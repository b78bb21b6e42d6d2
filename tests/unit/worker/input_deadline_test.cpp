// InputDeadline: which timeout a connection waits under, for a session in each state.

#include "worker/input_deadline.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string_view>

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
  void feed(HttpSession& s, std::string_view bytes, std::time_t now = kNow) {
    auto space = s.inputSpace();
    std::copy(bytes.begin(), bytes.end(), space.begin());
    s.received(bytes.size());
    s.process(now);
  }
  config::Config config_;
  fuzz::SessionWorld world_;
  InputDeadline deadline_;
};

TEST_F(InputDeadlineTest, NewConnectionGetsHeaderTimeout) {
  HttpSession s(world_.context, "");
  EXPECT_EQ(deadline_.next(s, config_, kNow, false), 10s);
}

TEST_F(InputDeadlineTest, IdleBetweenRequestsGetsKeepAliveTimeout) {
  HttpSession s(world_.context, "");
  feed(s, "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(s.requestsServed(), 1u);
  EXPECT_FALSE(s.midRequest());
  EXPECT_EQ(deadline_.next(s, config_, kNow, false), 75s);
}

TEST_F(InputDeadlineTest, TricklingHeadCountsFromItsFirstByte) {
  HttpSession s(world_.context, "");
  feed(s, "GET /a.txt HTTP/1.1\r\n");
  ASSERT_TRUE(s.midRequest());
  EXPECT_EQ(deadline_.next(s, config_, kNow, false), 10s);
  feed(s, "Host: x\r\n", kNow + 4);
  EXPECT_EQ(deadline_.next(s, config_, kNow + 4, false), 6s);  // not 10 s again
  feed(s, "X: y\r\n", kNow + 9);
  EXPECT_EQ(deadline_.next(s, config_, kNow + 9, false), 1s);
  EXPECT_EQ(deadline_.next(s, config_, kNow + 30, false), 1ms);  // never zero or negative
}

TEST_F(InputDeadlineTest, NextHeadStartsItsOwnClock) {
  HttpSession s(world_.context, "");
  feed(s, "GET /a.txt HTTP/1.1\r\n");
  EXPECT_EQ(deadline_.next(s, config_, kNow, false), 10s);
  feed(s, "Host: x\r\n\r\n", kNow + 8);
  EXPECT_EQ(deadline_.next(s, config_, kNow + 8, false), 75s);
  feed(s, "GET /a.txt HTTP/1.1\r\n", kNow + 20);
  EXPECT_EQ(deadline_.next(s, config_, kNow + 20, false), 10s);
}

TEST_F(InputDeadlineTest, StoppingShortensIdleWaitsOnly) {
  HttpSession idle(world_.context, "");
  feed(idle, "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(deadline_.next(idle, config_, kNow, true), kDrainGrace);
  InputDeadline other;
  HttpSession mid(world_.context, "");
  feed(mid, "GET /a.txt HTTP/1.1\r\n");
  EXPECT_EQ(other.next(mid, config_, kNow, true), 10s);  // a request under way may finish
}

}  // namespace
}  // namespace learnhttpd::worker
