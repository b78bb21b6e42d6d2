// SPDX-License-Identifier: MIT
#include "master/site_board.hpp"

#include <sys/mman.h>

#include <new>

namespace learnhttpd::master {

void SiteCountUnmap::operator()(serve::SiteCount* p) const noexcept {
  ::munmap(p, bytes);
}

bool SiteBoard::map(std::size_t sites) {
  const std::size_t count = sites * kRows;
  const std::size_t bytes = count * sizeof(serve::SiteCount);
  void* memory = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) return false;
  auto* first = static_cast<serve::SiteCount*>(memory);
  for (std::size_t i = 0; i < count; ++i) new (first + i) serve::SiteCount();
  table_ = std::unique_ptr<serve::SiteCount, SiteCountUnmap>(first, SiteCountUnmap{bytes});
  sites_ = sites;
  return true;
}

std::span<serve::SiteCount> SiteBoard::row(unsigned slot) noexcept {
  if (!table_) return {};
  return {table_.get() + (slot % kRows) * sites_, sites_};
}

SiteTotals SiteBoard::total(std::size_t site) const noexcept {
  SiteTotals sum;
  if (!table_ || site >= sites_) return sum;
  for (std::size_t row = 0; row < kRows; ++row) {
    const serve::SiteCount& count = table_.get()[row * sites_ + site];
    sum.requests += count.requests.load(std::memory_order_relaxed);
    sum.bytes += count.bytes.load(std::memory_order_relaxed);
  }
  return sum;
}

}  // namespace learnhttpd::master
