// SPDX-License-Identifier: MIT
#include "protocol/session_context.hpp"

#include <algorithm>

namespace learnhttpd::protocol {

SessionContext::SessionContext(const config::Config& config, const serve::SiteFiles& files,
                               std::atomic<std::uint64_t>* request_counter,
                               std::span<serve::SiteCount> site_counts)
    : sites(config, files, site_counts),
      limits{std::min<std::size_t>(8192, config.max_header_bytes), config.max_header_bytes},
      keepalive_requests(config.keepalive_requests),
      keepalive_enabled(config.keepalive_timeout.count() > 0),
      // Room for a full head plus a pipelined neighbour, and one byte beyond the limit so the
      // parser can see that a head is too long.
      input_buffer_limit(config.max_header_bytes + 4096),
      http2_plain(config::http2Plain(config)),
      http2_max_streams(config.http2.max_concurrent_streams),
      requests(request_counter) {}

}  // namespace learnhttpd::protocol
