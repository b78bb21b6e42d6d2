// SPDX-License-Identifier: MIT
// InputDeadline: which timeout a connection waits under, for a session in each state.

#include "worker/input_deadline.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string_view>
#include <thread>

#include "base/unique_fd.hpp"
#include "protocol/session.hpp"

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

// HTTP/2: a Session on a plain connection (http2.plain) that the client preface turned into an
// HTTP/2 session; the frames are written by hand on the other end of a socketpair.
class Http2DeadlineTest : public ::testing::Test {
 protected:
  Http2DeadlineTest() {
    config_.keepalive_timeout = 75s;
    config_.header_timeout = 10s;
    config_.send_timeout = 60s;
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
    server_.reset(fds[0]);
    client_.reset(fds[1]);
  }
  static config::Config withHttp2() {
    config::Config c;
    c.http2.plain = true;
    return c;
  }
  // Sends `bytes` as the client, lets the session read and answer them, and takes its output.
  void send(std::string_view bytes) {
    ASSERT_EQ(::send(client_.get(), bytes.data(), bytes.size(), 0),
              static_cast<ssize_t>(bytes.size()));
    ASSERT_TRUE(protocol::receivedInput(session_.readFrom(server_.get())));
    session_.process(kNow);
    while (session_.hasOutput()) {
      ASSERT_NE(session_.writeTo(server_.get()), protocol::FlushResult::Error);
      std::string ignored;
      fuzz::drainPeer(client_.get(), ignored);
    }
  }

  static constexpr std::string_view kMagic = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  static constexpr std::string_view kSettings{"\0\0\0\x04\0\0\0\0\0", 9};
  // SETTINGS_INITIAL_WINDOW_SIZE = 0: the client will not take a byte of body.
  static constexpr std::string_view kZeroWindow{"\0\0\x06\x04\0\0\0\0\0\0\x04\0\0\0\0", 15};
  // HEADERS (END_STREAM, END_HEADERS) on stream 1: GET http://x/big.bin.
  static constexpr std::string_view kGetBig{
      "\0\0\x0f\x01\x05\0\0\0\x01\x82\x86\x44\x08/big.bin\x41\x01x", 24};
  static constexpr std::string_view kPing{"\0\0\x08\x06\0\0\0\0\0pingpong", 17};

  config::Config config_;
  fuzz::SessionWorld world_{withHttp2()};
  protocol::Session session_{world_.context, ""};
  base::UniqueFd server_;
  base::UniqueFd client_;
  InputDeadline deadline_;
};

TEST_F(Http2DeadlineTest, ThePrefaceHasHeaderTimeout) {
  send(kMagic);
  ASSERT_NE(session_.http2(), nullptr);
  EXPECT_TRUE(session_.midRequest());
  EXPECT_EQ(deadline_.next(session_, config_, false), 10s);
  std::this_thread::sleep_for(30ms);
  send(kPing.substr(0, 4));  // a piece of a frame is no SETTINGS: the count goes on
  EXPECT_LE(deadline_.next(session_, config_, false), 10s - 30ms);
}

// Idle counts from the last request, not from the last frame: PINGs keep no connection alive.
TEST_F(Http2DeadlineTest, IdleCountsFromTheLastRequest) {
  send(std::string(kMagic) + std::string(kSettings));
  EXPECT_FALSE(session_.midRequest());
  EXPECT_EQ(deadline_.next(session_, config_, false), 75s);
  std::this_thread::sleep_for(30ms);
  send(kPing);
  const auto left = deadline_.next(session_, config_, false);
  EXPECT_LE(left, 75s - 30ms);
  EXPECT_GT(left, 70s);
}

TEST_F(Http2DeadlineTest, AnAnswerTheWindowHoldsBackHasSendTimeout) {
  send(std::string(kMagic) + std::string(kZeroWindow) + std::string(kGetBig));
  ASSERT_TRUE(session_.http2()->stalled());
  EXPECT_EQ(deadline_.next(session_, config_, false), 60s);
  std::this_thread::sleep_for(30ms);
  send(kPing);  // busy, but the answer does not move
  EXPECT_LE(deadline_.next(session_, config_, false), 60s - 30ms);
  // A WINDOW_UPDATE on stream 1 moves 100 bytes: a new count.
  send(std::string_view("\0\0\x04\x08\0\0\0\0\x01\0\0\0\x64", 13));
  EXPECT_EQ(session_.http2()->progress(), 100U);
  EXPECT_EQ(deadline_.next(session_, config_, false), 60s);
}

TEST_F(Http2DeadlineTest, StoppingWaitsForAShortPause) {
  send(std::string(kMagic) + std::string(kSettings));
  EXPECT_EQ(deadline_.next(session_, config_, true), kDrainGrace);
  session_.drain();
  EXPECT_EQ(session_.expire(kNow), protocol::Expiry::Write);  // the notice and its PING
  EXPECT_LE(deadline_.next(session_, config_, true), kDrainGrace);
}

}  // namespace
}  // namespace learnhttpd::worker
