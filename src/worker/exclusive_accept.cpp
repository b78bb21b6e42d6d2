// SPDX-License-Identifier: MIT
#include "worker/exclusive_accept.hpp"

#include <dirent.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string_view>

#include <spdlog/spdlog.h>

namespace learnhttpd::worker {
namespace {

struct DirCloser {
  void operator()(DIR* dir) const noexcept { ::closedir(dir); }
};

// The open descriptors of this process; without /proc, every number below 1024 (a worker opens
// its event loop among its first descriptors).
std::vector<int> openDescriptors() {
  std::vector<int> fds;
  std::unique_ptr<DIR, DirCloser> dir(::opendir("/proc/self/fd"));
  if (!dir) {
    for (int fd = 0; fd < 1024; ++fd) fds.push_back(fd);
    return fds;
  }
  while (const dirent* entry = ::readdir(dir.get())) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    fds.push_back(static_cast<int>(std::strtol(entry->d_name, nullptr, 10)));
  }
  return fds;
}

int addExclusive(int epoll_fd, int listen_fd, int marker) {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLEXCLUSIVE;
  ev.data.fd = marker;  // libevent dispatches by this number: the marker's event runs
  return ::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listen_fd, &ev);
}

}  // namespace

bool ExclusiveAccept::enable(event_base* base, const std::vector<int>& listen_fds,
                             event_callback_fn callback, void* arg, std::string& why) {
  if (std::string_view(event_base_get_method(base)) != "epoll") {
    why = std::string("the event loop uses ") + event_base_get_method(base) + ", not epoll";
    return false;
  }
  if (listen_fds.empty()) return false;
  for (std::size_t i = 0; i < listen_fds.size(); ++i) {
    markers_.emplace_back(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    events_.emplace_back(markers_.back() ? event_new(base, markers_.back().get(),
                                                     EV_READ | EV_PERSIST, callback, arg)
                                         : nullptr);
    if (!events_.back() || event_add(events_.back().get(), nullptr) != 0) {
      why = std::string("eventfd: ") + std::strerror(errno);
      disable();
      return false;
    }
  }
  epoll_fd_ = findEpollHolding(markers_.front().get());
  if (epoll_fd_ < 0) {
    why = "the event loop's epoll descriptor was not found";
    disable();
    return false;
  }
  listen_fds_ = listen_fds;
  for (std::size_t i = 0; i < listen_fds_.size(); ++i) {
    if (addExclusive(epoll_fd_, listen_fds_[i], markers_[i].get()) != 0) {
      why = std::string("EPOLLEXCLUSIVE: ") + std::strerror(errno);
      for (std::size_t j = 0; j < i; ++j)
        ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fds_[j], nullptr);
      disable();
      return false;
    }
  }
  watching_ = true;
  return true;
}

// The epoll instance that already holds `marker` refuses it a second time (EEXIST); any other
// takes it (and gives it back at once), and a descriptor that is no epoll instance says EINVAL.
int ExclusiveAccept::findEpollHolding(int marker) {
  int found = -1;
  for (int fd : openDescriptors()) {
    if (fd == marker) continue;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = marker;
    if (::epoll_ctl(fd, EPOLL_CTL_ADD, marker, &ev) == 0) {
      ::epoll_ctl(fd, EPOLL_CTL_DEL, marker, nullptr);
    } else if (errno == EEXIST) {
      if (found >= 0) return -1;  // two candidates: do not guess
      found = fd;
    }
  }
  return found;
}

void ExclusiveAccept::watch(bool on) {
  if (!enabled() || on == watching_) return;
  watching_ = on;
  for (std::size_t i = 0; i < listen_fds_.size(); ++i) {
    int rc = on ? addExclusive(epoll_fd_, listen_fds_[i], markers_[i].get())
                : ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fds_[i], nullptr);
    if (rc != 0) {
      spdlog::error("epoll_ctl({}) of listening socket {}: {}", on ? "add" : "del", listen_fds_[i],
                    std::strerror(errno));
    }
  }
}

int ExclusiveAccept::listenFdOf(int marker) const noexcept {
  for (std::size_t i = 0; i < markers_.size(); ++i) {
    if (markers_[i].get() == marker) return i < listen_fds_.size() ? listen_fds_[i] : -1;
  }
  return -1;
}

void ExclusiveAccept::disable() {
  watch(false);
  events_.clear();  // before the markers they watch
  markers_.clear();
  listen_fds_.clear();
  epoll_fd_ = -1;
}

}  // namespace learnhttpd::worker
