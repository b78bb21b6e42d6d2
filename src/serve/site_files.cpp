// SPDX-License-Identifier: MIT
#include "serve/site_files.hpp"

#include <utility>

namespace learnhttpd::serve {

bool SiteFiles::open(const config::Config& config, SiteFiles& out, std::vector<std::string>& errors,
                     std::vector<std::string>& warnings) {
  SiteFiles files;
  const std::size_t errors_before = errors.size();
  const std::vector<config::SiteConfig> sites = config::effectiveSites(config);
  files.roots.reserve(sites.size());
  for (const config::SiteConfig& site : sites) {
    std::string error;
    files.roots.push_back(fs::DocumentRoot::open(site.document_root, error));
    if (!files.roots.back().valid()) {
      // One site: the message stays what it always was; several: it says which site.
      if (sites.size() > 1) {
        std::string which = site.key;
        which += " (";
        which += config::siteLabel(site);
        which += "): ";
        error.insert(0, which);
      }
      errors.push_back(std::move(error));
    }
    for (const config::AuthRuleConfig& rule : site.auth) {
      if (files.passwords.contains(rule.htpasswd)) continue;
      Htpasswd file;
      if (Htpasswd::read(rule.htpasswd, file, errors, warnings)) {
        files.passwords.emplace(rule.htpasswd, std::move(file));
      }
    }
  }
  if (errors.size() != errors_before) return false;
  out = std::move(files);
  return true;
}

bool SiteFiles::open(const config::Config& config, SiteFiles& out, std::string& error) {
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
  if (open(config, out, errors, warnings)) return true;
  error = errors.front();
  for (std::size_t i = 1; i < errors.size(); ++i) error += "; " + errors[i];
  return false;
}

std::vector<std::string> SiteFiles::notices() const {
  std::vector<std::string> lines;
  for (const fs::DocumentRoot& root : roots) {
    if (!root.notice().empty()) lines.push_back(root.notice());
  }
  return lines;
}

}  // namespace learnhttpd::serve
