// SPDX-License-Identifier: MIT
#include "config/config.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace learnhttpd::config {
bool hasTlsListener(const Config& config) noexcept {
  return std::any_of(config.listen.begin(), config.listen.end(),
                     [](const ListenAddress& a) { return a.tls; });
}

std::string httpsRedirectProblem(const HttpsRedirectConfig& redirect,
                                 const std::vector<ListenAddress>& listen) {
  if (!redirect.enabled) return {};
  std::vector<std::uint16_t> ports;
  for (const ListenAddress& address : listen) {
    if (address.tls && std::find(ports.begin(), ports.end(), address.port) == ports.end()) {
      ports.push_back(address.port);
    }
  }
  if (ports.empty()) return "redirect_to_https: no \"ssl\" address in listen to redirect to";
  if (ports.size() > 1 && redirect.port == 0) {
    return "redirect_to_https: the \"ssl\" addresses use ports " + std::to_string(ports[0]) +
           " and " + std::to_string(ports[1]) +
           "; name the one to redirect to, like redirect_to_https: " + std::to_string(ports[0]);
  }
  return {};
}

std::string httpsRedirectProblem(const Config& config) {
  if (std::string problem = httpsRedirectProblem(config.redirect_to_https, config.listen);
      !problem.empty()) {
    return problem;
  }
  for (const SiteConfig& site : config.sites) {
    if (std::string problem = httpsRedirectProblem(site.redirect_to_https, config.listen);
        !problem.empty()) {
      return site.key + "." + problem;
    }
  }
  return {};
}

std::vector<SiteConfig> effectiveSites(const Config& config) {
  if (!config.sites.empty()) return config.sites;
  SiteConfig site;
  static_cast<SiteSettings&>(site) = config;
  site.is_default = true;
  site.source = config.source;
  return {std::move(site)};
}

std::size_t defaultSiteIndex(const std::vector<SiteConfig>& sites) noexcept {
  for (std::size_t i = 0; i < sites.size(); ++i) {
    if (sites[i].is_default) return i;
  }
  return 0;
}

std::string siteLabel(const SiteConfig& site) {
  if (site.names.empty()) return "the default site";
  return site.names.front() + (site.is_default ? " (default)" : "");
}

std::string tlsModelProblem(const Config& config) {
  if (!hasTlsListener(config)) return {};
  if (traitsOf(config.worker_model).serves_tls) return {};
  return "worker_model " + std::string(modelName(config.worker_model)) +
         " does not serve TLS listeners (\"ssl\" in listen); use event or threadpool";
}

bool http2OverTls(const Config& config) noexcept {
  return config.http2.tls && traitsOf(config.worker_model).http2;
}

bool http2Plain(const Config& config) noexcept {
  return config.http2.plain && traitsOf(config.worker_model).http2;
}

std::string http2ModelNote(const Config& config) {
  if (!config.http2.plain || traitsOf(config.worker_model).http2) return {};
  return "http2.plain: worker_model " + std::string(modelName(config.worker_model)) +
         " speaks HTTP/1.1 only, so every connection is answered in HTTP/1.1 (HTTP/2 needs "
         "event or threadpool, docs/models.md)";
}

unsigned effectiveWorkers(const Config& config) {
  if (config.workers != 0) {
    return config.workers;
  }
  // hardware_concurrency() may return 0 when the count is unknown (e.g. /proc not mounted);
  // one worker is the only safe guess then.
  return std::max(1U, std::thread::hardware_concurrency());
}

// The host is normalised (inet_ntop form) by parseListenAddress, so text tests are exact.
bool isLoopback(const ListenAddress& address) noexcept {
  const std::string_view host = address.host;
  return host.starts_with("127.") || host == "::1" || host.starts_with("::ffff:127.");
}

}  // namespace learnhttpd::config
