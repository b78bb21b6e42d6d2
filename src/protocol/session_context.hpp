// SPDX-License-Identifier: MIT
#pragma once
// SessionContext: what every connection of a worker shares -- the sites its requests are
// answered for (serve::Sites), and the protocols' own settings: the parser's limits, the
// keep-alive rules, the input bound, HTTP/2's, the access log and the counters. Built once per
// worker process after fork; the worker sets `access_log`, `counters` (and the sites' HTTPS
// port, for an "ssl" address on port 0) while it opens, and from then on every thread only
// reads it.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>

#include "config/config.hpp"

#include "http/request_parser.hpp"
#include "log/log.hpp"
#include "serve/site_count.hpp"
#include "serve/site_files.hpp"
#include "serve/sites.hpp"

namespace learnhttpd::protocol {

// Counters by protocol in the worker's slot of the status board (shared with the master), each
// nullptr when there is none. Any thread of the worker adds to them (relaxed).
struct ProtocolCounters {
  std::atomic<std::uint64_t>* http1_connections = nullptr;  // connections that spoke HTTP/1.x
  std::atomic<std::uint64_t>* http2_connections = nullptr;  // connections that spoke HTTP/2
  std::atomic<std::uint64_t>* http2_streams = nullptr;      // requests (streams) over HTTP/2
  std::atomic<std::uint32_t>* http2_open = nullptr;         // HTTP/2 connections open now
};

struct SessionContext {
  // `files`: what the master opened for the sites of `config` (not owned, outlives this);
  // `requests` counts the requests answered (the worker's slot of the status board, shared
  // with the master), or nullptr; `site_counts` one SiteCount per site, shared too, or empty.
  SessionContext(const config::Config& config, const serve::SiteFiles& files,
                 std::atomic<std::uint64_t>* requests,
                 std::span<serve::SiteCount> site_counts = {});

  serve::Sites sites;
  http::ParseLimits limits;
  unsigned keepalive_requests;           // 0: one request per connection
  bool keepalive_enabled;                // keepalive_timeout > 0
  std::size_t input_buffer_limit;        // a connection never buffers more than this
  bool http2_plain;                      // a plain connection may start with the h2 preface
  unsigned http2_max_streams;            // SETTINGS_MAX_CONCURRENT_STREAMS
  log::AccessLog* access_log = nullptr;  // not owned; nullptr: no per-request logging at all
  std::atomic<std::uint64_t>* requests;  // not owned; may be nullptr
  ProtocolCounters counters;             // not owned
};

}  // namespace learnhttpd::protocol
