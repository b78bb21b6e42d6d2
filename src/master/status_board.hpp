// SPDX-License-Identifier: MIT
#pragma once
// StatusBoard: a fixed table of WorkerStatus slots in anonymous shared memory, mapped once by
// the master before the first fork so every worker inherits the same pages. The master hands
// each worker process its own slot and takes it back when the process is reaped.

#include <cstddef>
#include <memory>
#include <vector>

#include "worker/worker_status.hpp"

namespace learnhttpd::master {

struct StatusUnmap {
  std::size_t bytes = 0;
  void operator()(worker::WorkerStatus* p) const noexcept;
};

class StatusBoard {
 public:
  // Maps `slots` entries; false when mmap fails.
  bool map(std::size_t slots);

  // A zeroed slot for a new worker process; nullptr when all are taken.
  worker::WorkerStatus* acquire();
  void release(worker::WorkerStatus* slot);

 private:
  std::unique_ptr<worker::WorkerStatus, StatusUnmap> table_;
  std::size_t size_ = 0;
  std::vector<worker::WorkerStatus*> free_;
};

}  // namespace learnhttpd::master
