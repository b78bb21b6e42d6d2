// SPDX-License-Identifier: MIT
#include "master/status_board.hpp"

#include <sys/mman.h>

#include <new>

namespace learnhttpd::master {

void StatusUnmap::operator()(worker::WorkerStatus* p) const noexcept {
  ::munmap(p, bytes);
}

bool StatusBoard::map(std::size_t slots) {
  std::size_t bytes = slots * sizeof(worker::WorkerStatus);
  void* memory = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) return false;
  auto* first = static_cast<worker::WorkerStatus*>(memory);
  for (std::size_t i = 0; i < slots; ++i) new (first + i) worker::WorkerStatus();
  table_ = std::unique_ptr<worker::WorkerStatus, StatusUnmap>(first, StatusUnmap{bytes});
  size_ = slots;
  free_.clear();
  for (std::size_t i = slots; i > 0; --i) free_.push_back(first + i - 1);
  return true;
}

worker::WorkerStatus* StatusBoard::acquire() {
  if (free_.empty()) return nullptr;
  worker::WorkerStatus* slot = free_.back();
  free_.pop_back();
  slot->heartbeat_ms.store(0);
  slot->requests.store(0);
  slot->threads.store(0);
  slot->threads_busy.store(0);
  slot->connections.store(0);
  slot->threads_max.store(0);
  slot->http2_open.store(0);
  slot->http1_connections.store(0);
  slot->http2_connections.store(0);
  slot->http2_streams.store(0);
  return slot;
}

void StatusBoard::release(worker::WorkerStatus* slot) {
  if (slot != nullptr) free_.push_back(slot);
}

}  // namespace learnhttpd::master
