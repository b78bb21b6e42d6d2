// SPDX-License-Identifier: MIT
// net::listenTcp over real loopback sockets: what every worker model relies on when it skips a
// per-connection setsockopt -- a connection accepted from our listening socket already has
// TCP_NODELAY (Linux copies the listening socket's options to each connection it accepts).

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include "base/unique_fd.hpp"
#include "net/socket.hpp"

namespace learnhttpd::net {
namespace {

int noDelay(int fd) {
  int value = -1;
  socklen_t len = sizeof value;
  EXPECT_EQ(::getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &value, &len), 0);
  return value;
}

TEST(ListenTcp, AcceptedConnectionsHaveNoDelay) {
  ListenResult listener = listenTcp("127.0.0.1", 0, 16);
  ASSERT_TRUE(listener.fd) << listener.error;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(boundPort(listener.fd.get()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  base::UniqueFd client(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_TRUE(client);
  ASSERT_EQ(::connect(client.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  base::UniqueFd accepted(::accept4(listener.fd.get(), nullptr, nullptr, SOCK_CLOEXEC));
  ASSERT_TRUE(accepted);
  EXPECT_EQ(noDelay(accepted.get()), 1);
  EXPECT_EQ(noDelay(client.get()), 0);  // the option is ours, not the kernel's default
}

}  // namespace
}  // namespace learnhttpd::net
