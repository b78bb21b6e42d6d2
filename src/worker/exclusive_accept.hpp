// SPDX-License-Identifier: MIT
#pragma once
// ExclusiveAccept: the listening sockets in the worker loop's own epoll instance with
// EPOLLEXCLUSIVE, so that with several workers a new connection wakes one worker that sleeps
// in epoll_wait() instead of all of them (the thundering herd; docs/performance.md has the
// measurements). Every worker registers the same sockets this way; the kernel wakes the first
// worker in the socket's wait queue that sleeps, and tries the next when it is busy.
//
// Why in libevent's own instance, not in a private epoll instance registered with libevent as
// one readable descriptor: the kernel stops after one exclusive wake-up only when a thread
// sleeps in epoll_wait() on the instance that holds the socket. A nested instance is only
// polled by the outer one, so it never counts as woken and the kernel goes on to wake every
// worker (measured: no fewer wake-ups than without EPOLLEXCLUSIVE).
//
// libevent 2.1 has neither EPOLLEXCLUSIVE nor a way to name its epoll descriptor, so:
//  - each listening socket gets a marker, an eventfd that is never written, with a persistent
//    libevent read event: libevent puts the marker into its epoll instance;
//  - that instance is the one epoll descriptor of the process to which the marker cannot be
//    added again (EEXIST);
//  - the listening socket is added to it, EPOLLIN | EPOLLEXCLUSIVE, with the marker's number as
//    its data: libevent's epoll backend dispatches by that number, so a connection waiting on
//    the socket runs the marker's callback.
// Where any of this is missing (a backend other than epoll, a kernel before 4.5, libevent's
// epoll changelist), enable() returns false, undoes what it did, and the caller watches the
// sockets with plain libevent events instead.
//
// An EPOLLEXCLUSIVE entry cannot be modified, only removed and added: watch(false) removes the
// sockets (accepting paused, or a graceful stop), watch(true) adds them back. The entries
// belong to the open socket, which the master and the other workers keep open, not to this
// process's descriptor number: closing the descriptor alone would leave the entry behind, so
// watch(false) must come before the worker closes its copies.
//
// Threads: the loop thread only (the one that owns the event base).

#include <string>
#include <vector>

#include "base/unique_fd.hpp"
#include "worker/libevent_handles.hpp"

namespace learnhttpd::worker {

class ExclusiveAccept {
 public:
  ExclusiveAccept() = default;
  ExclusiveAccept(const ExclusiveAccept&) = delete;
  ExclusiveAccept& operator=(const ExclusiveAccept&) = delete;

  // Sets up the markers in `base` and adds `listen_fds` to its epoll instance, watched. On
  // success `callback(marker, EV_READ, arg)` runs whenever a connection waits on a listening
  // socket (listenFdOf(marker) names it). False, with `why`, when this cannot work here.
  bool enable(event_base* base, const std::vector<int>& listen_fds, event_callback_fn callback,
              void* arg, std::string& why);
  bool enabled() const noexcept { return epoll_fd_ >= 0; }
  // Adds (true) or removes (false) the listening sockets; a no-op when already so.
  void watch(bool on);
  // The listening socket whose marker is `marker`, or -1.
  int listenFdOf(int marker) const noexcept;
  // Removes the sockets and frees the markers' events (before the base is freed).
  void disable();

 private:
  static int findEpollHolding(int marker);

  int epoll_fd_ = -1;  // libevent's instance; not owned
  std::vector<int> listen_fds_;
  std::vector<base::UniqueFd> markers_;
  std::vector<EventPtr> events_;
  bool watching_ = false;
};

}  // namespace learnhttpd::worker
