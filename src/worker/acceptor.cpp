// SPDX-License-Identifier: MIT
#include "worker/acceptor.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include "net/socket.hpp"

namespace learnhttpd::worker {
namespace {

base::UniqueFd openSpare() {
  return base::UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
}

}  // namespace

Acceptor::Acceptor(unsigned slot, bool want_peer)
    : spare_(openSpare()), slot_(slot), want_peer_(want_peer) {}

AcceptResult Acceptor::acceptFrom(int listen_fd) {
  AcceptResult result;
  int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd >= 0) {
    result.status = Accepted::Connection;
    result.fd.reset(fd);
    return result;
  }
  switch (errno) {
    case EINTR:
    case ECONNABORTED:  // the client gave up while in the backlog
      result.status = Accepted::Retry;
      return result;
    case EMFILE:
    case ENFILE:
      shed(listen_fd);
      result.status = Accepted::Retry;
      return result;
    case EAGAIN:
#if EAGAIN != EWOULDBLOCK
    case EWOULDBLOCK:
#endif
      return result;
    default:
      spdlog::error("worker {}: accept4: {}", slot_, std::strerror(errno));
      result.status = Accepted::Failed;
      return result;
  }
}

base::UniqueFd Acceptor::acceptReady(const pollfd* ready, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    if ((ready[i].revents & POLLIN) == 0) continue;
    AcceptResult r = acceptFrom(ready[i].fd);
    if (r.status == Accepted::Connection) return std::move(r.fd);
  }
  return base::UniqueFd();
}

std::string Acceptor::peerOf(int fd) const {
  std::string peer;
  if (want_peer_) net::peerAddress(fd, peer);
  return peer;
}

void Acceptor::shed(int listen_fd) {
  std::lock_guard lock(spare_mutex_);
  spdlog::warn("worker {}: out of file descriptors, refusing a connection", slot_);
  spare_.reset();
  base::UniqueFd refused(::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC));
  refused.reset();  // closed before the spare is taken again, or that open could fail
  spare_ = openSpare();
}

}  // namespace learnhttpd::worker
