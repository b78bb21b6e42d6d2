// SPDX-License-Identifier: MIT
#pragma once
// SiteBoard: one generation's per-site counters (requests, body bytes) in anonymous shared
// memory, mapped by the master before it forks the generation's workers, as the status board
// is. kRows rows of one serve::SiteCount per site: worker slot S adds to row S % kRows, its
// own unless the generation has more than kRows workers (then two share a row, which the
// atomics make correct), so workers do not contend for cache lines. The master sums the rows.
// 16 bytes per site and row: 1 MiB for 1000 sites.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "serve/site_count.hpp"

namespace learnhttpd::master {

struct SiteTotals {
  std::uint64_t requests = 0;
  std::uint64_t bytes = 0;
};

struct SiteCountUnmap {
  std::size_t bytes = 0;
  void operator()(serve::SiteCount* p) const noexcept;
};

class SiteBoard {
 public:
  static constexpr std::size_t kRows = 64;

  // Maps the counters of `sites` sites (zeroed); false when mmap fails.
  bool map(std::size_t sites);
  std::size_t sites() const noexcept { return sites_; }
  // The row worker slot `slot` adds to.
  std::span<serve::SiteCount> row(unsigned slot) noexcept;
  // Site `site`'s counters summed over every row.
  SiteTotals total(std::size_t site) const noexcept;

 private:
  std::unique_ptr<serve::SiteCount, SiteCountUnmap> table_;
  std::size_t sites_ = 0;
};

}  // namespace learnhttpd::master
