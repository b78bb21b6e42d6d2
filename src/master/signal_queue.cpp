// SPDX-License-Identifier: MIT
#include "master/signal_queue.hpp"

#include <sys/signalfd.h>
#include <unistd.h>

#include <csignal>

namespace learnhttpd::master {

bool SignalQueue::install(const std::vector<int>& signals) {
  sigset_t set;
  sigemptyset(&set);
  for (int s : signals) sigaddset(&set, s);
  if (::sigprocmask(SIG_BLOCK, &set, nullptr) != 0) return false;
  int fd = ::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd < 0) return false;
  fd_.reset(fd);
  signals_ = signals;
  (void)::signal(SIGPIPE, SIG_IGN);  // a peer that closes must not end the master
  return true;
}

std::vector<int> SignalQueue::drain() {
  std::vector<int> received;
  signalfd_siginfo info[16];
  for (;;) {
    ssize_t n = ::read(fd_.get(), info, sizeof info);
    if (n <= 0) break;
    for (size_t i = 0; i < static_cast<size_t>(n) / sizeof info[0]; ++i) {
      received.push_back(static_cast<int>(info[i].ssi_signo));
    }
  }
  return received;
}

void SignalQueue::resetInChild() {
  struct sigaction action {};
  action.sa_handler = SIG_DFL;
  sigemptyset(&action.sa_mask);
  for (int s : signals_) ::sigaction(s, &action, nullptr);
  fd_.reset();
}

}  // namespace learnhttpd::master
