// SPDX-License-Identifier: MIT
#pragma once
// Acceptor: how every model takes a new connection, written once. accept4() with the flags
// every connection needs (non-blocking, close-on-exec; TCP_NODELAY comes with the listening
// socket, net::listenTcp); a spare descriptor given up to refuse one client when the process is
// out of descriptors (muduo's trick: the client hears "no" at once instead of waiting in a
// backlog while the listening socket stays readable); and the client's address, asked of the
// kernel only when an access log will write it (quiet mode does no such work).
//
// Threads: every member may be called from any thread; the spare descriptor is guarded (the
// threads-accept model accepts on several threads at once).

#include <poll.h>

#include <cstddef>
#include <mutex>
#include <string>

#include "base/unique_fd.hpp"

namespace learnhttpd::worker {

enum class Accepted {
  Connection,  // `fd` holds the new connection
  Retry,       // nothing this time, but try again now (EINTR, ECONNABORTED, or one client shed)
  Empty,       // nothing waiting (EAGAIN: a sibling worker may have taken it)
  Failed,      // an unexpected error, logged: stop trying until the next readiness
};

struct AcceptResult {
  Accepted status = Accepted::Empty;
  base::UniqueFd fd;
};

class Acceptor {
 public:
  // `slot` names the worker in log lines; `want_peer`: an access log records the client's
  // address (false in quiet mode or with access_log: off).
  Acceptor(unsigned slot, bool want_peer);
  Acceptor(const Acceptor&) = delete;
  Acceptor& operator=(const Acceptor&) = delete;

  // One accept4() on the non-blocking listening socket `listen_fd`.
  AcceptResult acceptFrom(int listen_fd);
  // One connection from whichever of the `count` polled listening sockets reported POLLIN;
  // an invalid fd when none had one left (a sibling worker won the race).
  base::UniqueFd acceptReady(const pollfd* ready, std::size_t count);
  // The client's "host:port" for the access log, or empty when no log wants it.
  std::string peerOf(int fd) const;

 private:
  void shed(int listen_fd);

  std::mutex spare_mutex_;
  base::UniqueFd spare_;  // /dev/null, given up to accept-and-close one client when out of fds
  unsigned slot_;
  bool want_peer_;
};

}  // namespace learnhttpd::worker
