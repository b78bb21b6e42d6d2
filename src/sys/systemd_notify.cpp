// SPDX-License-Identifier: MIT
#include "sys/systemd_notify.hpp"

#include <fcntl.h>
#include <systemd/sd-daemon.h>

#include <ctime>

namespace learnhttpd::sys {

void notifySystemd(const std::string& state) {
  // unset_environment = 0: the variables must survive for later notifications (reload, stop).
  sd_notify(0, state.c_str());
}

std::string reloadingState() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  auto usec = static_cast<long long>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
  return "RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec);
}

std::chrono::microseconds watchdogInterval() {
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0) return std::chrono::microseconds{0};
  return std::chrono::microseconds{static_cast<long long>(usec)};
}

std::vector<int> activatedSockets() {
  std::vector<int> fds;
  int n = sd_listen_fds(0);
  for (int i = 0; i < n; ++i) {
    int fd = SD_LISTEN_FDS_START + i;
    ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    fds.push_back(fd);
  }
  return fds;
}

}  // namespace learnhttpd::sys
