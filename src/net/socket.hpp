// SPDX-License-Identifier: MIT
#pragma once
// Listening sockets and the syscalls of the send path, as small value-returning wrappers.
// None of these log or throw; errors come back as errno values.

#include <sys/types.h>
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/unique_fd.hpp"

namespace learnhttpd::net {

struct ListenResult {
  base::UniqueFd fd;  // invalid on failure
  int error = 0;      // errno of the failing call
  const char* failed_call = "";
};

// A non-blocking, close-on-exec TCP listening socket on host:port (IPv4 or IPv6 literal), with
// SO_REUSEADDR (and IPV6_V6ONLY for IPv6, so "[::]" and "0.0.0.0" can both be bound).
ListenResult listenTcp(const std::string& host, std::uint16_t port, int backlog);
// The same socket, bound but not listening (what `-t` tries: no connection can arrive on it).
ListenResult bindTcp(const std::string& host, std::uint16_t port);

// The port a bound socket ended up on (for port 0); 0 on error.
std::uint16_t boundPort(int fd) noexcept;

// "host:port" ("[v6]:port") of a socket's peer, written into `out` (cleared first).
void peerAddress(int fd, std::string& out);

// The local address of a connected socket as a URL host ("192.0.2.1", "[2001:db8::1]"),
// written into `out`; empty on error.
void localHost(int fd, std::string& out);

struct IoResult {
  std::size_t bytes = 0;  // transferred by this call
  int error = 0;          // 0, EAGAIN (would block) or another errno (connection is dead)
};

// send() with MSG_NOSIGNAL, so a closed peer is EPIPE and never SIGPIPE. `more` sets MSG_MORE.
IoResult sendSome(int fd, const char* data, std::size_t len, bool more = false) noexcept;

// sendmsg() of `count` buffers with MSG_NOSIGNAL (and MSG_MORE when `more`).
IoResult sendVector(int fd, const iovec* buffers, int count, bool more = false) noexcept;

// One sendfile() call of at most `count` bytes (clamped so that >2 GiB files loop in chunks),
// advancing `offset`.
IoResult sendFileSome(int out_fd, int in_fd, off_t& offset, std::size_t count) noexcept;

// recv() into `buf`; bytes == 0 with error == 0 means the peer closed.
IoResult receiveSome(int fd, char* buf, std::size_t len) noexcept;

}  // namespace learnhttpd::net
