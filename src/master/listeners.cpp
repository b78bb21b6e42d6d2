#include "master/listeners.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cstring>

#include "net/socket.hpp"

namespace learnhttpd::master {
namespace {

constexpr int kBacklog = 4096;  // the kernel clamps it to net.core.somaxconn

}  // namespace

bool Listeners::update(const std::vector<config::ListenAddress>& wanted, std::string& error) {
  std::vector<Bound> next;
  for (const auto& address : wanted) {
    auto same = std::find_if(bound_.begin(), bound_.end(), [&](const Bound& b) {
      return b.address == address && address.port != 0;
    });
    if (same != bound_.end()) {
      next.push_back({address, std::move(same->fd)});
      continue;
    }
    net::ListenResult r = net::listenTcp(address.host, address.port, kBacklog);
    if (!r.fd) {
      error = "cannot listen on " + describe(-1, address) + ": " + r.failed_call + ": " +
              std::strerror(r.error);
      // Hand the sockets moved into `next` back, so a failed update changes nothing.
      for (auto& b : next) {
        for (auto& old : bound_) {
          if (old.address == b.address && !old.fd) old.fd = std::move(b.fd);
        }
      }
      return false;
    }
    next.push_back({address, std::move(r.fd)});
  }
  bound_ = std::move(next);
  fds_.clear();
  for (const auto& b : bound_) fds_.push_back(b.fd.get());
  return true;
}

std::string Listeners::describe(int fd, const config::ListenAddress& address) {
  std::uint16_t port = fd >= 0 ? net::boundPort(fd) : address.port;
  bool v6 = address.host.find(':') != std::string::npos;
  return (v6 ? "[" + address.host + "]" : address.host) + ":" + std::to_string(port);
}

}  // namespace learnhttpd::master
