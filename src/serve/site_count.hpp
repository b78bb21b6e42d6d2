// SPDX-License-Identifier: MIT
#pragma once
// SiteCount: one site's counters in memory the master shares with its workers (mapped
// MAP_SHARED before fork, like the status board): the workers add, the master reads for
// /status and /metrics. Relaxed increments: the master only needs a value that was true a
// moment ago. A plain struct of lock-free atomics, so it works across processes.

#include <atomic>
#include <cstdint>

namespace learnhttpd::serve {

struct alignas(16) SiteCount {
  std::atomic<std::uint64_t> requests{0};  // requests answered for the site
  std::atomic<std::uint64_t> bytes{0};     // body bytes of those answers, as logged
};

static_assert(std::atomic<std::uint64_t>::is_always_lock_free);

}  // namespace learnhttpd::serve
