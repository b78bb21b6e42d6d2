// SPDX-License-Identifier: MIT
#include "master/listeners.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

#include "net/socket.hpp"

namespace learnhttpd::master {
namespace {

constexpr int kBacklog = 4096;  // the kernel clamps it to net.core.somaxconn

std::string describeAddress(const config::ListenAddress& address) {
  bool v6 = address.host.find(':') != std::string::npos;
  return (v6 ? "[" + address.host + "]" : address.host) + ":" + std::to_string(address.port);
}

std::string failure(const config::ListenAddress& address, const net::ListenResult& r) {
  return "cannot listen on " + describeAddress(address) + ": " + r.failed_call + ": " +
         std::strerror(r.error);
}

}  // namespace

std::string Listeners::tryBind(const config::ListenAddress& address) {
  net::ListenResult r = net::bindTcp(address.host, address.port);
  return r.fd ? std::string() : failure(address, r);
}

bool Listeners::update(const std::vector<config::ListenAddress>& wanted, std::string& error) {
  std::vector<Bound> next;
  auto give_back = [&] {
    for (auto& b : next) {
      for (auto& old : bound_) {
        if (config::sameSocket(old.address, b.address) && !old.fd) old.fd = std::move(b.fd);
      }
    }
  };
  for (const auto& address : wanted) {
    // A port-0 address ("any free port") keeps the port it got, which is still "any port".
    // Turning TLS on or off keeps the socket too: only what is spoken on it changes.
    auto same = std::find_if(bound_.begin(), bound_.end(), [&](const Bound& b) {
      return b.fd && config::sameSocket(b.address, address);
    });
    if (same != bound_.end()) {
      next.push_back({address, std::move(same->fd)});
      continue;
    }
    net::ListenResult r = net::listenTcp(address.host, address.port, kBacklog);
    if (!r.fd) {
      error = failure(address, r);
      give_back();  // a failed update changes nothing
      return false;
    }
    next.push_back({address, std::move(r.fd)});
  }
  bound_ = std::move(next);
  fds_.clear();
  tls_fds_.clear();
  for (const auto& b : bound_) {
    fds_.push_back(b.fd.get());
    if (b.address.tls) tls_fds_.push_back(b.fd.get());
  }
  return true;
}

void Listeners::adopt(const std::vector<int>& fds) {
  adopted_ = true;
  bound_.clear();
  for (int fd : fds) bound_.push_back({config::ListenAddress{}, base::UniqueFd(fd)});
  fds_ = fds;
  tls_fds_.clear();
}

// The .socket unit chooses the addresses (a ListenStream=443 socket is often [::]:443 where
// the file says 0.0.0.0:443), so the port decides: the passed sockets on the port of an "ssl"
// address speak TLS, all others plain HTTP. Never guessed when the file says both for one port.
bool Listeners::speakAs(const std::vector<config::ListenAddress>& wanted, std::string& error) {
  std::vector<int> tls;
  for (const Bound& b : bound_) {
    const std::uint16_t port = net::boundPort(b.fd.get());
    bool ssl = false;
    bool plain = false;
    for (const config::ListenAddress& address : wanted) {
      if (address.port != port) continue;
      (address.tls ? ssl : plain) = true;
    }
    if (ssl && plain) {
      error = "listen: port " + std::to_string(port) + " is both \"ssl\" and plain, and " +
              describe(b.fd.get()) +
              " was passed by systemd: which it speaks cannot be told; use one port for each";
      return false;
    }
    if (ssl) tls.push_back(b.fd.get());
  }
  tls_fds_ = std::move(tls);
  return true;
}

std::string Listeners::describe(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  char host[INET6_ADDRSTRLEN] = "?";
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return "?";
  if (addr.ss_family == AF_INET6) {
    ::inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&addr)->sin6_addr, host, sizeof host);
    return std::string("[") + host + "]:" + std::to_string(net::boundPort(fd));
  }
  if (addr.ss_family == AF_INET) {
    ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&addr)->sin_addr, host, sizeof host);
  }
  return std::string(host) + ":" + std::to_string(net::boundPort(fd));
}

}  // namespace learnhttpd::master
