// SPDX-License-Identifier: MIT
#pragma once
// Site: everything the answer to a request depends on that is not in the request -- one site's
// settings (document root, index, MIME types and charset, hidden files, sidecars, gzip, header
// rules, error pages, HSTS, the redirect to HTTPS) and where it looks its files up (the
// worker's open-file cache, shared by every site). Built once per worker process after fork
// (serve::Sites), then read by every connection and thread of the worker: only the cache and
// the counters change, and they look after themselves.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "fs/document_root.hpp"
#include "fs/open_file_cache.hpp"
#include "http/gzip_policy.hpp"
#include "http/header_rules.hpp"
#include "http/mime_table.hpp"
#include "http/status.hpp"
#include "serve/cors.hpp"
#include "serve/htpasswd.hpp"
#include "serve/path_rules.hpp"
#include "serve/site_count.hpp"
#include "serve/site_files.hpp"

namespace learnhttpd::serve {

// One rule of basic auth, ready to check: its prefix, the challenge a 401 carries, its file.
struct AuthRule {
  std::string prefix;
  std::string challenge;  // "WWW-Authenticate: Basic realm=...\r\n"
  const Htpasswd* file;   // SiteFiles' (not owned)
};

class Site {
 public:
  // `settings`: one of config::effectiveSites(server); `root`: the master's descriptor of its
  // document_root and `files` the password files (not owned, outlive the site); `file_cache`:
  // the worker's (not owned), or nullptr; `count`: the site's counters in shared memory, or
  // nullptr.
  Site(const config::SiteConfig& settings, const config::Config& server,
       const fs::DocumentRoot& root, const SiteFiles& files, fs::OpenFileCache* file_cache,
       SiteCount* count);
  Site(const Site&) = delete;
  Site& operator=(const Site&) = delete;

  // The page file of an error status (config error_pages), or nullptr: the built-in page.
  const std::string* errorPage(http::Status status) const noexcept;
  // One answered request of `body_bytes` (relaxed increments of shared counters).
  void count(std::uint64_t body_bytes) noexcept {
    if (count_ == nullptr) return;
    count_->requests.fetch_add(1, std::memory_order_relaxed);
    count_->bytes.fetch_add(body_bytes, std::memory_order_relaxed);
  }

  const fs::DocumentRoot& root;
  std::string label;     // "a.example (default)": for log lines
  http::MimeTable mime;  // with the charset of text types already in the values
  std::string index;
  http::Status missing_index_status;
  bool precompressed;                    // look for FILE.br/.zst/.gz sidecars
  bool deny_hidden;                      // hidden_files: deny (http::isHiddenPath -> 404)
  std::optional<http::GzipPolicy> gzip;  // on-the-fly gzip; nullopt when off (config gzip)
  http::HeaderRules header_rules;        // fields added to the answers served from a file
  std::vector<std::pair<int, std::string>> error_pages;
  // "Strict-Transport-Security: max-age=N\r\n" for answers over TLS (tls.hsts), or empty.
  std::string hsts_field;
  // redirect_to_https: plain connections answer every request with a 301 to
  // https://HOST:https_port/TARGET. The port is redirect_to_https's, else the first "ssl"
  // address's; a worker replaces a configured 0 (any port) by the one the master bound.
  bool redirect_to_https;
  std::uint16_t https_port;
  PathRules redirects;              // config redirects: 30x with a Location of the rule's
  PathRules rewrites;               // config rewrites: the path looked up instead
  config::FallbackConfig fallback;  // the page a GET of a missing path gets, or none
  config::ListingConfig listing;    // where a directory without index is listed
  // Whether the directory `path` (decoded, ending with '/') is listed.
  bool lists(std::string_view path) const noexcept {
    for (const std::string& prefix : listing.paths) {
      if (path.starts_with(prefix)) return true;
    }
    return false;
  }
  std::vector<AuthRule> auth;  // config auth
  // The auth rule of the longest prefix of `path`, or nullptr: no credentials needed.
  const AuthRule* authFor(std::string_view path) const noexcept;
  std::vector<CorsRule> cors;  // config cors
  // The CORS rule of the longest prefix of `path`, or nullptr.
  const CorsRule* corsFor(std::string_view path) const noexcept;
  // The worker's open-file cache (internally locked, shared by every site and thread of the
  // worker); nullptr when open_file_cache.entries is 0, the worker model cannot keep one exact
  // (config::ModelTraits::file_cache), the root is resolved without openat2, or the system
  // refuses what it needs.
  fs::OpenFileCache* file_cache;

 private:
  SiteCount* count_;
};

}  // namespace learnhttpd::serve
