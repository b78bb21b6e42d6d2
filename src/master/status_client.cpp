// SPDX-License-Identifier: MIT
#include "master/status_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "base/unique_fd.hpp"
#include "log/journal_sink.hpp"
#include "net/socket.hpp"

namespace learnhttpd::master {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kTimeout{5000};
constexpr std::size_t kMaxAnswer = std::size_t{16} << 20;

int fail(const std::string& message) {
  (void)std::fprintf(stderr, "%slearnhttpd: %s\n", log::stderrErrorPrefix(), message.c_str());
  return 1;
}

// Waits for `events` on `fd` until `deadline`; false on timeout.
bool waitFor(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd pfd{fd, events, 0};
    int n = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return false;
  }
}

// A non-blocking socket connected (or connecting) to the listener; a wildcard address means
// "this host", asked on the loopback of its family.
base::UniqueFd connectTo(const config::ListenAddress& address, std::string& error) {
  sockaddr_storage storage{};
  socklen_t length = 0;
  const bool v6 = address.host.find(':') != std::string::npos;
  if (v6) {
    auto& sa = reinterpret_cast<sockaddr_in6&>(storage);
    sa.sin6_family = AF_INET6;
    sa.sin6_port = htons(address.port);
    const std::string host = address.host == "::" ? "::1" : address.host;
    ::inet_pton(AF_INET6, host.c_str(), &sa.sin6_addr);
    length = sizeof sa;
  } else {
    auto& sa = reinterpret_cast<sockaddr_in&>(storage);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(address.port);
    const std::string host = address.host == "0.0.0.0" ? "127.0.0.1" : address.host;
    ::inet_pton(AF_INET, host.c_str(), &sa.sin_addr);
    length = sizeof sa;
  }
  base::UniqueFd fd(::socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) {
    error = std::string("socket: ") + std::strerror(errno);
    return {};
  }
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&storage), length) != 0 &&
      errno != EINPROGRESS) {
    error = std::strerror(errno);
    return {};
  }
  return fd;
}

// The whole answer (the listener closes after it), or empty with `error`.
std::string exchange(int fd, const std::string& request, std::string& error) {
  const Clock::time_point deadline = Clock::now() + kTimeout;
  for (std::size_t sent = 0; sent < request.size();) {
    if (!waitFor(fd, POLLOUT, deadline)) return error = "no answer (timed out)", "";
    net::IoResult r = net::sendSome(fd, request.data() + sent, request.size() - sent);
    if (r.error != 0 && r.error != EAGAIN) return error = std::strerror(r.error), "";
    sent += r.bytes;
  }
  std::string answer;
  char buffer[16384];
  for (;;) {
    if (!waitFor(fd, POLLIN, deadline)) return error = "no answer (timed out)", "";
    net::IoResult r = net::receiveSome(fd, buffer, sizeof buffer);
    if (r.error == EAGAIN) continue;
    if (r.error != 0) return error = std::strerror(r.error), "";
    if (r.bytes == 0) return answer;
    answer.append(buffer, r.bytes);
    if (answer.size() > kMaxAnswer) return error = "the answer is too large", "";
  }
}

}  // namespace

int printStatus(const config::Config& config) {
  if (!config.status.listen) {
    return fail(config.source +
                ": the status listener is off; set status.listen, e.g. "
                "status: { listen: \"127.0.0.1:8081\" }");
  }
  const config::ListenAddress& address = *config.status.listen;
  const bool v6 = address.host.find(':') != std::string::npos;
  const std::string where =
      (v6 ? "[" + address.host + "]" : address.host) + ":" + std::to_string(address.port);
  if (address.port == 0) {
    return fail(config.source + ": status.listen " + where +
                " has no fixed port for -s status to ask");
  }
  std::string error;
  base::UniqueFd fd = connectTo(address, error);
  std::string answer;
  if (fd) {
    answer = exchange(
        fd.get(),
        "GET /status?format=text HTTP/1.1\r\nHost: " + where + "\r\nConnection: close\r\n\r\n",
        error);
  }
  if (!error.empty())
    return fail("status listener " + where + ": " + error + " (is learnhttpd running?)");
  const std::size_t head_end = answer.find("\r\n\r\n");
  const std::string status_line = answer.substr(0, answer.find("\r\n"));
  if (head_end == std::string::npos || status_line.find(" 200 ") == std::string::npos) {
    return fail("status listener " + where + " answered '" + status_line + "'");
  }
  const std::string body = answer.substr(head_end + 4);
  if (std::fwrite(body.data(), 1, body.size(), stdout) != body.size()) {
    return fail(std::string("cannot write the table: ") + std::strerror(errno));
  }
  return 0;
}

}  // namespace learnhttpd::master
