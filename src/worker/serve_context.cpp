// SPDX-License-Identifier: MIT
#include "worker/serve_context.hpp"

#include <spdlog/spdlog.h>

namespace learnhttpd::worker {
namespace {

http::HeaderRules headerRules(const config::Config& config) {
  std::vector<http::HeaderRule> rules;
  for (const config::HeaderRuleConfig& rule : config.headers) {
    rules.push_back(http::HeaderRule{rule.match, rule.set});
  }
  return http::HeaderRules(std::move(rules));
}

std::uint16_t httpsPort(const config::Config& config) {
  if (config.redirect_to_https.port != 0) return config.redirect_to_https.port;
  for (const config::ListenAddress& address : config.listen) {
    if (address.tls) return address.port;
  }
  return 443;
}

std::optional<http::GzipPolicy> gzipPolicy(const config::GzipConfig& gzip) {
  if (!gzip.enabled) return std::nullopt;
  return http::GzipPolicy(gzip.types, gzip.min_length, gzip.max_length,
                          static_cast<int>(gzip.level));
}

}  // namespace

const std::string* ServeContext::errorPage(http::Status s) const noexcept {
  for (const auto& [code, page] : error_pages) {
    if (code == http::code(s)) return &page;
  }
  return nullptr;
}

ServeContext::ServeContext(const config::Config& config, const fs::DocumentRoot& document_root,
                           log::AccessLog* log, WorkerStatus* worker_status)
    : root(document_root),
      mime(config.mime_types, config.charset),
      index(config.index),
      missing_index_status(config.missing_index_status == 403 ? http::Status::Forbidden
                                                              : http::Status::NotFound),
      limits{std::min<std::size_t>(8192, config.max_header_bytes), config.max_header_bytes},
      keepalive_requests(config.keepalive_requests),
      keepalive_enabled(config.keepalive_timeout.count() > 0),
      precompressed(config.precompressed),
      deny_hidden(config.deny_hidden_files),
      gzip(gzipPolicy(config.gzip)),
      header_rules(headerRules(config)),
      error_pages(config.error_pages),
      // Room for a full head plus a pipelined neighbour, and one byte beyond the limit so the
      // parser can see that a head is too long.
      input_buffer_limit(config.max_header_bytes + 4096),
      hsts_field(config.tls.hsts.count() > 0
                     ? "Strict-Transport-Security: max-age=" +
                           std::to_string(config.tls.hsts.count() / 1000) + "\r\n"
                     : std::string()),
      redirect_to_https(config.redirect_to_https.enabled),
      https_port(httpsPort(config)),
      access_log(config.log.quiet ? nullptr : log),
      status(worker_status) {
  fs::OpenFileCacheLimits cache_limits;
  cache_limits.entries = config.open_file_cache.entries;
  cache_limits.max_bytes = config.open_file_cache.max_bytes;
  if (!config::traitsOf(config.worker_model).file_cache) return;
  if (cache_limits.entries > 0 && document_root.resolver() != fs::Resolver::Openat2) {
    // Its proof needs openat2's RESOLVE_NO_SYMLINKS; the component walk has no equivalent.
    spdlog::warn("open_file_cache: off, openat2 is refused here");
    return;
  }
  std::string error;
  file_cache = fs::OpenFileCache::create(document_root.fd(), cache_limits, error);
  if (!error.empty()) spdlog::warn("{}; serving without it", error);
}

}  // namespace learnhttpd::worker
