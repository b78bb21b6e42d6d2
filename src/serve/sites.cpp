// SPDX-License-Identifier: MIT
#include "serve/sites.hpp"

#include <spdlog/spdlog.h>

namespace learnhttpd::serve {
namespace {

std::unique_ptr<fs::OpenFileCache> openFileCache(const config::Config& config,
                                                 const SiteFiles& files) {
  fs::OpenFileCacheLimits limits;
  limits.entries = config.open_file_cache.entries;
  limits.max_bytes = config.open_file_cache.max_bytes;
  if (!config::traitsOf(config.worker_model).file_cache) return nullptr;
  for (const fs::DocumentRoot& root : files.roots) {
    if (limits.entries > 0 && root.resolver() != fs::Resolver::Openat2) {
      // Its proof needs openat2's RESOLVE_NO_SYMLINKS; the component walk has no equivalent.
      spdlog::warn("open_file_cache: off, openat2 is refused here");
      return nullptr;
    }
  }
  std::string error;
  std::unique_ptr<fs::OpenFileCache> cache = fs::OpenFileCache::create(limits, error);
  if (!error.empty()) spdlog::warn("{}; serving without it", error);
  return cache;
}

}  // namespace

Sites::Sites(const config::Config& config, const SiteFiles& files, std::span<SiteCount> counts)
    : file_cache_(openFileCache(config, files)) {
  const std::vector<config::SiteConfig> sites = config::effectiveSites(config);
  sites_.reserve(sites.size());
  for (std::size_t i = 0; i < sites.size(); ++i) {
    SiteCount* count = i < counts.size() ? &counts[i] : nullptr;
    sites_.push_back(
        std::make_unique<Site>(sites[i], config, files.roots[i], files, file_cache_.get(), count));
    for (const std::string& name : sites[i].names) names_.add(name, i);
    has_auth_ = has_auth_ || !sites[i].auth.empty();
  }
  default_ = config::defaultSiteIndex(sites);
}

void Sites::useHttpsPort(std::uint16_t bound) noexcept {
  for (auto& site : sites_) {
    if (site->https_port == 0) site->https_port = bound;
  }
}

}  // namespace learnhttpd::serve
