// SPDX-License-Identifier: MIT
#include "serve/site_files.hpp"

#include <utility>

namespace learnhttpd::serve {

bool SiteFiles::open(const config::Config& config, SiteFiles& out, std::string& error) {
  SiteFiles files;
  const std::vector<config::SiteConfig> sites = config::effectiveSites(config);
  files.roots.reserve(sites.size());
  for (const config::SiteConfig& site : sites) {
    files.roots.push_back(fs::DocumentRoot::open(site.document_root, error));
    if (!files.roots.back().valid()) {
      // One site: the message stays what it always was; several: it says which site.
      if (sites.size() > 1) error = site.key + " (" + config::siteLabel(site) + "): " + error;
      return false;
    }
  }
  out = std::move(files);
  return true;
}

std::vector<std::string> SiteFiles::notices() const {
  std::vector<std::string> lines;
  for (const fs::DocumentRoot& root : roots) {
    if (!root.notice().empty()) lines.push_back(root.notice());
  }
  return lines;
}

}  // namespace learnhttpd::serve
