// SPDX-License-Identifier: MIT
#include "serve/site.hpp"

#include "http/basic_auth.hpp"

namespace learnhttpd::serve {
namespace {

http::HeaderRules headerRules(const config::SiteConfig& site) {
  std::vector<http::HeaderRule> rules;
  for (const config::HeaderRuleConfig& rule : site.headers) {
    rules.push_back(http::HeaderRule{rule.match, rule.set});
  }
  return http::HeaderRules(std::move(rules));
}

std::uint16_t httpsPort(const config::SiteConfig& site, const config::Config& server) {
  if (site.redirect_to_https.port != 0) return site.redirect_to_https.port;
  for (const config::ListenAddress& address : server.listen) {
    if (address.tls) return address.port;
  }
  return 443;
}

std::optional<http::GzipPolicy> gzipPolicy(const config::GzipConfig& gzip) {
  if (!gzip.enabled) return std::nullopt;
  return http::GzipPolicy(gzip.types, gzip.min_length, gzip.max_length,
                          static_cast<int>(gzip.level));
}

std::string hstsField(const config::SiteConfig& site) {
  if (site.tls.hsts.count() <= 0) return {};
  return "Strict-Transport-Security: max-age=" + std::to_string(site.tls.hsts.count() / 1000) +
         "\r\n";
}

std::vector<AuthRule> authRules(const config::SiteConfig& site, const SiteFiles& files) {
  std::vector<AuthRule> rules;
  for (const config::AuthRuleConfig& rule : site.auth) {
    const auto file = files.passwords.find(rule.htpasswd);
    // SiteFiles::open read every file these rules name, or failed: a rule without its file
    // would be a door left open, so it shuts instead (an empty table lets nobody in).
    static const Htpasswd kNobody;
    rules.push_back(AuthRule{rule.path, http::basicChallenge(rule.realm),
                             file != files.passwords.end() ? &file->second : &kNobody});
  }
  return rules;
}

}  // namespace

Site::Site(const config::SiteConfig& settings, const config::Config& server,
           const fs::DocumentRoot& document_root, const SiteFiles& files, fs::OpenFileCache* cache,
           SiteCount* counters)
    : root(document_root),
      label(config::siteLabel(settings)),
      mime(settings.mime_types, settings.charset),
      index(settings.index),
      missing_index_status(settings.missing_index_status == 403 ? http::Status::Forbidden
                                                                : http::Status::NotFound),
      precompressed(settings.precompressed),
      deny_hidden(settings.deny_hidden_files),
      gzip(gzipPolicy(settings.gzip)),
      header_rules(headerRules(settings)),
      error_pages(settings.error_pages),
      hsts_field(hstsField(settings)),
      redirect_to_https(settings.redirect_to_https.enabled),
      https_port(httpsPort(settings, server)),
      redirects(settings.redirects),
      rewrites(settings.rewrites),
      fallback(settings.fallback),
      listing(settings.listing),
      auth(authRules(settings, files)),
      cors(settings.cors.begin(), settings.cors.end()),
      // Its proof needs openat2's RESOLVE_NO_SYMLINKS; the component walk has no equivalent.
      file_cache(document_root.resolver() == fs::Resolver::Openat2 ? cache : nullptr),
      count_(counters) {}

const AuthRule* Site::authFor(std::string_view path) const noexcept {
  const AuthRule* found = nullptr;
  for (const AuthRule& rule : auth) {
    if (path.starts_with(rule.prefix) &&
        (found == nullptr || rule.prefix.size() > found->prefix.size())) {
      found = &rule;
    }
  }
  return found;
}

const CorsRule* Site::corsFor(std::string_view path) const noexcept {
  const CorsRule* found = nullptr;
  for (const CorsRule& rule : cors) {
    if (path.starts_with(rule.prefix()) &&
        (found == nullptr || rule.prefix().size() > found->prefix().size())) {
      found = &rule;
    }
  }
  return found;
}

const std::string* Site::errorPage(http::Status s) const noexcept {
  for (const auto& [code, page] : error_pages) {
    if (code == http::code(s)) return &page;
  }
  return nullptr;
}

}  // namespace learnhttpd::serve
