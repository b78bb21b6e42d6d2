// SPDX-License-Identifier: MIT
#pragma once
// The master's signals as a queue it reads at one known point of its loop: the signals it
// handles stay blocked and arrive through a signalfd. No handler ever runs in the master, so
// nothing can interrupt it half-way (fork, logging) and no signal can be lost between a
// handler and the loop — the kernel keeps it pending until the loop reads it.

#include <csignal>
#include <vector>

#include "base/unique_fd.hpp"

namespace learnhttpd::master {

class SignalQueue {
 public:
  // Blocks `signals` in the calling thread and opens the signalfd that receives them.
  // One instance per process, installed before any thread or child exists.
  bool install(const std::vector<int>& signals);

  // The signalfd, to poll for POLLIN.
  int readFd() const noexcept { return fd_.get(); }

  // Signals received since the last call, in arrival order. Like any standard signal, one
  // sent again before the loop has read it is pending once.
  std::vector<int> drain();

  // In a freshly forked worker: the signalfd closed, default dispositions. The signals stay
  // blocked: the worker unblocks them once its own handlers are in place (Worker::run's
  // contract), so a TERM sent the moment the worker exists waits for it instead of killing it.
  void resetInChild();

 private:
  base::UniqueFd fd_;
  std::vector<int> signals_;
};

}  // namespace learnhttpd::master
