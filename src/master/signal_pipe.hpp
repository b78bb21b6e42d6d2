#pragma once
// The self-pipe that turns signals into bytes the master's loop reads at one known point.
// The handler only writes the signal number and restores errno (async-signal-safe); all the
// work happens in the loop.

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

  // In a freshly forked worker: default dispositions, empty mask, pipe closed.
  void resetInChild();

 private:
  net::UniqueFd read_;
  net::UniqueFd write_;
  std::vector<int> signals_;
};

}  // namespace learnhttpd::master
