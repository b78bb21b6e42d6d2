// SPDX-License-Identifier: MIT
#pragma once
// What every connection of a worker needs to answer requests: built once per worker after
// fork, read-only afterwards (the file cache locks itself), so it may be shared by all threads
// of the worker.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "fs/document_root.hpp"
#include "fs/open_file_cache.hpp"
#include "http/gzip_policy.hpp"
#include "http/header_rules.hpp"
#include "http/mime_table.hpp"
#include "http/request_parser.hpp"
#include "http/status.hpp"
#include "log/log.hpp"
#include "worker/worker_status.hpp"

namespace learnhttpd::worker {

struct ServeContext {
  ServeContext(const config::Config& config, const fs::DocumentRoot& root,
               log::AccessLog* access_log, WorkerStatus* status);

  const fs::DocumentRoot& root;  // not owned; outlives the worker
  http::MimeTable mime;
  std::string index;
  http::Status missing_index_status;
  http::ParseLimits limits;
  unsigned keepalive_requests;           // 0: one request per connection
  bool keepalive_enabled;                // keepalive_timeout > 0
  bool precompressed;                    // look for FILE.br/.zst/.gz sidecars
  bool deny_hidden;                      // hidden_files: deny (http::isHiddenPath -> 404)
  std::optional<http::GzipPolicy> gzip;  // on-the-fly gzip; nullopt when off (config gzip)
  http::HeaderRules header_rules;        // fields added to the answers served from a file
  // The page file of an error status (config error_pages), or nullptr: the built-in page.
  const std::string* errorPage(http::Status status) const noexcept;
  std::vector<std::pair<int, std::string>> error_pages;
  std::size_t input_buffer_limit;  // a connection never buffers more than this
  // "Strict-Transport-Security: max-age=N\r\n" for answers over TLS (tls.hsts), or empty.
  std::string hsts_field;
  // redirect_to_https: plain connections answer every request with a 301 to
  // https://HOST:https_port/TARGET. The port is redirect_to_https's, else the first "ssl"
  // address's; WorkerLoop::open replaces a configured 0 (any port) by the one bound.
  bool redirect_to_https;
  std::uint16_t https_port;
  log::AccessLog* access_log;  // not owned; nullptr in quiet mode: no per-request logging
  WorkerStatus* status;        // shared with the master; `requests` counts answers
  // The worker's open-file cache (internally locked, shared by all threads of the worker);
  // nullptr when open_file_cache.entries is 0 or the cache cannot work on this system.
  std::unique_ptr<fs::OpenFileCache> file_cache;
};

}  // namespace learnhttpd::worker
