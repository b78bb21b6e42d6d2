// SPDX-License-Identifier: MIT
#pragma once
// SessionContext: what every connection of a worker shares -- the site its requests are
// answered for (serve::Site), and the protocol's own settings: the parser's limits, the
// keep-alive rules, the input bound, the access log and the request counter. Built once per
// worker process after fork; the worker sets `access_log` (and site.https_port, for an "ssl"
// address on port 0) while it opens, and from then on every thread only reads it.

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "config/config.hpp"
#include "fs/document_root.hpp"
#include "http/request_parser.hpp"
#include "log/log.hpp"
#include "serve/site.hpp"

namespace learnhttpd::protocol {

struct SessionContext {
  // `requests` counts the requests answered (the worker's slot of the status board, shared
  // with the master), or nullptr.
  SessionContext(const config::Config& config, const fs::DocumentRoot& root,
                 std::atomic<std::uint64_t>* requests);

  serve::Site site;
  http::ParseLimits limits;
  unsigned keepalive_requests;           // 0: one request per connection
  bool keepalive_enabled;                // keepalive_timeout > 0
  std::size_t input_buffer_limit;        // a connection never buffers more than this
  log::AccessLog* access_log = nullptr;  // not owned; nullptr: no per-request logging at all
  std::atomic<std::uint64_t>* requests;  // not owned; may be nullptr
};

}  // namespace learnhttpd::protocol
