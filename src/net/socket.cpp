// SPDX-License-Identifier: MIT
#include "net/socket.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/sendfile.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace learnhttpd::net {
namespace {

// Linux sendfile() moves at most 0x7ffff000 bytes per call; asking for less keeps each call
// bounded so one huge file cannot monopolise the event loop.
constexpr std::size_t kMaxSendFileChunk = std::size_t{1} << 30;

ListenResult fail(const char* call) {
  ListenResult r;
  r.error = errno;
  r.failed_call = call;
  return r;
}

}  // namespace

ListenResult bindTcp(const std::string& host, std::uint16_t port) {
  sockaddr_storage addr{};
  socklen_t addr_len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    addr_len = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    addr_len = sizeof(sockaddr_in6);
  } else {
    errno = EINVAL;
    return fail("inet_pton");
  }
  base::UniqueFd fd(::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return fail("socket");
  int one = 1;
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0)
    return fail("setsockopt");
  if (addr.ss_family == AF_INET6 &&
      ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0) {
    return fail("setsockopt");
  }
  // Every connection accepted from this socket inherits it (Linux copies the listening socket's
  // options), so no worker needs a setsockopt per connection.
  if (::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) {
    return fail("setsockopt");
  }
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), addr_len) != 0) return fail("bind");
  ListenResult ok;
  ok.fd = std::move(fd);
  return ok;
}

ListenResult listenTcp(const std::string& host, std::uint16_t port, int backlog) {
  ListenResult r = bindTcp(host, port);
  if (r.fd && ::listen(r.fd.get(), backlog) != 0) return fail("listen");
  return r;
}

std::uint16_t boundPort(int fd) noexcept {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return 0;
  if (addr.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  return 0;
}

void peerAddress(int fd, std::string& out) {
  // One exit that copies the buffer: GCC 12 at -O2+ warns (-Wrestrict, a false positive, GCC
  // bug 105329) when a string literal is assigned to `out` after clear() on an early return.
  char text[INET6_ADDRSTRLEN] = "-";
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    if (addr.ss_family == AF_INET) {
      ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&addr)->sin_addr, text, sizeof text);
    } else if (addr.ss_family == AF_INET6) {
      ::inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&addr)->sin6_addr, text, sizeof text);
    }
  }
  out.assign(text, std::strlen(text));
}

void localHost(int fd, std::string& out) {
  out.clear();
  char text[INET6_ADDRSTRLEN] = "";
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return;
  if (addr.ss_family == AF_INET &&
      ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&addr)->sin_addr, text, sizeof text)) {
    out.append(text);
  } else if (addr.ss_family == AF_INET6 &&
             ::inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&addr)->sin6_addr, text,
                         sizeof text)) {
    out.push_back('[');
    out.append(text);
    out.push_back(']');
  }
}

IoResult sendSome(int fd, const char* data, std::size_t len, bool more) noexcept {
  int flags = MSG_NOSIGNAL | (more ? MSG_MORE : 0);
  for (;;) {
    ssize_t n = ::send(fd, data, len, flags);
    if (n >= 0) return {static_cast<std::size_t>(n), 0};
    if (errno == EINTR) continue;
    return {0, errno == EWOULDBLOCK ? EAGAIN : errno};
  }
}

IoResult sendVector(int fd, const iovec* buffers, int count, bool more) noexcept {
  msghdr message{};
  message.msg_iov = const_cast<iovec*>(buffers);
  message.msg_iovlen = static_cast<std::size_t>(count);
  int flags = MSG_NOSIGNAL | (more ? MSG_MORE : 0);
  for (;;) {
    ssize_t n = ::sendmsg(fd, &message, flags);
    if (n >= 0) return {static_cast<std::size_t>(n), 0};
    if (errno == EINTR) continue;
    return {0, errno == EWOULDBLOCK ? EAGAIN : errno};
  }
}

IoResult sendFileSome(int out_fd, int in_fd, off_t& offset, std::size_t count) noexcept {
  for (;;) {
    ssize_t n = ::sendfile(out_fd, in_fd, &offset, std::min(count, kMaxSendFileChunk));
    if (n >= 0) return {static_cast<std::size_t>(n), 0};
    if (errno == EINTR) continue;
    return {0, errno == EWOULDBLOCK ? EAGAIN : errno};
  }
}

IoResult receiveSome(int fd, char* buf, std::size_t len) noexcept {
  for (;;) {
    ssize_t n = ::recv(fd, buf, len, 0);
    if (n >= 0) return {static_cast<std::size_t>(n), 0};
    if (errno == EINTR) continue;
    return {0, errno == EWOULDBLOCK ? EAGAIN : errno};
  }
}

}  // namespace learnhttpd::net
