// SPDX-License-Identifier: MIT
// Http1Session::readFrom over a real non-blocking socketpair: what each outcome of one recv()
// reports to a model (bytes with or without more waiting, nothing yet, end of input, a reset,
// a buffer at its limit), and that the bytes land where process() parses them.

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "protocol/http1_session.hpp"
#include "session_invariants.hpp"

namespace learnhttpd::protocol {
namespace {

constexpr std::string_view kGet = "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n";

class ReadFromTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int fds[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
    server_.reset(fds[0]);
    client_.reset(fds[1]);
  }

  void send(std::string_view bytes) {
    ASSERT_EQ(::send(client_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(bytes.size()));
  }

  // What the session wrote to the client so far.
  std::string answer(Http1Session& session) {
    std::string out;
    while (session.hasOutput()) {
      if (session.writeTo(server_.get()) == FlushResult::Error) break;
      fuzz::drainPeer(client_.get(), out);
    }
    fuzz::drainPeer(client_.get(), out);
    return out;
  }

  base::UniqueFd server_;
  base::UniqueFd client_;
};

TEST_F(ReadFromTest, NothingSentYetIsWouldBlock) {
  fuzz::SessionWorld world;
  Http1Session session(world.context, "peer");
  EXPECT_EQ(session.readFrom(server_.get()), ReadResult::WouldBlock);
  EXPECT_FALSE(session.midRequest());
}

TEST_F(ReadFromTest, ARequestIsReadThenItsEndOfInput) {
  fuzz::SessionWorld world;
  Http1Session session(world.context, "peer");
  send(kGet);
  ASSERT_EQ(::shutdown(client_.get(), SHUT_WR), 0);
  // Fewer bytes than the buffer had room for: the socket is empty after them.
  EXPECT_EQ(session.readFrom(server_.get()), ReadResult::Drained);
  session.process(fuzz::kNow);
  std::string out = answer(session);
  EXPECT_EQ(out.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << out;
  EXPECT_EQ(out.substr(out.size() - 5), "hello");
  EXPECT_EQ(session.readFrom(server_.get()), ReadResult::Closed);
  EXPECT_EQ(session.readFrom(server_.get()), ReadResult::Closed);  // and stays so
}

TEST_F(ReadFromTest, AResetIsAnError) {
  fuzz::SessionWorld world;
  Http1Session session(world.context, "peer");
  // A stream socket closed with bytes it never read resets its peer (ECONNRESET).
  ASSERT_EQ(::send(server_.get(), "x", 1, MSG_NOSIGNAL), 1);
  client_.reset();
  EXPECT_EQ(session.readFrom(server_.get()), ReadResult::Error);
}

TEST_F(ReadFromTest, NotASocketIsAnError) {
  fuzz::SessionWorld world;
  Http1Session session(world.context, "peer");
  int pipe_fds[2];
  ASSERT_EQ(::pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK), 0);
  base::UniqueFd read_end(pipe_fds[0]);
  base::UniqueFd write_end(pipe_fds[1]);
  EXPECT_EQ(session.readFrom(read_end.get()), ReadResult::Error);  // ENOTSOCK
}

// A head that never ends: reads fill the buffer up to its limit and report that more may be
// waiting; at the limit no recv() is made (a zero-length read would look like end of input)
// and the bytes beyond stay in the socket. process() then answers 431 and closes.
TEST_F(ReadFromTest, ReadsStopAtTheInputLimit) {
  config::Config config;
  config.max_header_bytes = 1024;
  fuzz::SessionWorld world(config);
  const std::size_t limit = world.context.input_buffer_limit;
  std::string head = "GET /a.txt HTTP/1.1\r\nX-Long: " + std::string(limit, 'a');
  send(head);
  Http1Session session(world.context, "peer");
  std::size_t reads = 0;
  ReadResult r = ReadResult::Filled;
  while ((r = session.readFrom(server_.get())) == ReadResult::Filled && reads < 100) ++reads;
  EXPECT_EQ(r, ReadResult::Error);
  EXPECT_GE(reads, 1u);
  EXPECT_TRUE(session.inputSpace().empty());
  char rest[8192];
  ssize_t left = ::recv(server_.get(), rest, sizeof rest, MSG_PEEK | MSG_DONTWAIT);
  EXPECT_EQ(left, static_cast<ssize_t>(head.size() - limit));  // nothing was lost or eaten

  session.process(fuzz::kNow);
  EXPECT_TRUE(session.closeAfterOutput());
  std::string out = answer(session);
  EXPECT_EQ(out.rfind("HTTP/1.1 431 ", 0), 0u) << out;
}

TEST_F(ReadFromTest, PipelinedBytesAcrossReadsAreAnsweredInOrder) {
  fuzz::SessionWorld world;
  Http1Session session(world.context, "peer");
  send(kGet.substr(0, 10));
  EXPECT_EQ(session.readFrom(server_.get()), ReadResult::Drained);
  session.process(fuzz::kNow);
  EXPECT_FALSE(session.hasOutput());
  EXPECT_TRUE(session.midRequest());
  send(std::string(kGet.substr(10)) + std::string(kGet));
  EXPECT_EQ(session.readFrom(server_.get()), ReadResult::Drained);
  EXPECT_EQ(session.readFrom(server_.get()), ReadResult::WouldBlock);
  session.process(fuzz::kNow);
  std::string out = answer(session);
  EXPECT_EQ(out.find("HTTP/1.1 200 OK\r\n", 1), out.rfind("HTTP/1.1 200 OK\r\n")) << out;
  EXPECT_NE(out.rfind("HTTP/1.1 200 OK\r\n"), 0u) << out;  // two answers
  EXPECT_EQ(world.requests.load(), 2u);
}

}  // namespace
}  // namespace learnhttpd::protocol
