// SPDX-License-Identifier: MIT
#include "serve/site.hpp"

#include <spdlog/spdlog.h>

namespace learnhttpd::serve {
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

std::string hstsField(const config::Config& config) {
  if (config.tls.hsts.count() <= 0) return {};
  return "Strict-Transport-Security: max-age=" + std::to_string(config.tls.hsts.count() / 1000) +
         "\r\n";
}

std::unique_ptr<fs::OpenFileCache> fileCache(const config::Config& config,
                                             const fs::DocumentRoot& root) {
  fs::OpenFileCacheLimits limits;
  limits.entries = config.open_file_cache.entries;
  limits.max_bytes = config.open_file_cache.max_bytes;
  if (!config::traitsOf(config.worker_model).file_cache) return nullptr;
  if (limits.entries > 0 && root.resolver() != fs::Resolver::Openat2) {
    // Its proof needs openat2's RESOLVE_NO_SYMLINKS; the component walk has no equivalent.
    spdlog::warn("open_file_cache: off, openat2 is refused here");
    return nullptr;
  }
  std::string error;
  std::unique_ptr<fs::OpenFileCache> cache = fs::OpenFileCache::create(root.fd(), limits, error);
  if (!error.empty()) spdlog::warn("{}; serving without it", error);
  return cache;
}

}  // namespace

Site::Site(const config::Config& config, const fs::DocumentRoot& document_root)
    : root(document_root),
      mime(config.mime_types, config.charset),
      index(config.index),
      missing_index_status(config.missing_index_status == 403 ? http::Status::Forbidden
                                                              : http::Status::NotFound),
      precompressed(config.precompressed),
      deny_hidden(config.deny_hidden_files),
      gzip(gzipPolicy(config.gzip)),
      header_rules(headerRules(config)),
      error_pages(config.error_pages),
      hsts_field(hstsField(config)),
      redirect_to_https(config.redirect_to_https.enabled),
      https_port(httpsPort(config)),
      file_cache(fileCache(config, document_root)) {}

const std::string* Site::errorPage(http::Status s) const noexcept {
  for (const auto& [code, page] : error_pages) {
    if (code == http::code(s)) return &page;
  }
  return nullptr;
}

}  // namespace learnhttpd::serve
