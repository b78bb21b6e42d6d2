#pragma once
// The self-pipe that turns signals into bytes the master's loop reads at one known point.
// The handler only writes the signal number and restores errno (async-signal-safe); all the
// work happens in the loop.

#include <csignal>
#include <vector>

#include "net/unique_fd.hpp"

namespace learnhttpd::master {

class SignalPipe {
 public:
  // Creates the pipe and installs the handler for `signals`. One instance per process.
  bool install(const std::vector<int>& signals);

  // The read end, to poll for POLLIN.
  int readFd() const noexcept { return read_.get(); }

  // Signals received since the last call, in arrival order (two TTINs are two).
  std::vector<int> drain();

  // Blocks every signal in the calling thread (around fork, so a signal can never reach a
  // child that still runs the master's handler); returns the previous mask to restore.
  static sigset_t blockAll();
  static void restore(const sigset_t& mask);

  // In a freshly forked worker: default dispositions, pipe closed. Signals stay blocked: the
  // worker unblocks them once its own handlers are in place (Worker::run's contract).
  void resetInChild();

 private:
  net::UniqueFd read_;
  net::UniqueFd write_;
  std::vector<int> signals_;
};

}  // namespace learnhttpd::master
