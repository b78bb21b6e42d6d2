// SPDX-License-Identifier: MIT
#pragma once
// SiteFiles: what the master opens for every site before it forks, as root, so that a reload
// with a missing root is refused while the old workers keep serving, and the workers inherit
// what they need without permissions of their own on the paths' parents: each site's document
// root (a directory descriptor). Built again, whole, by every reload; the old one is kept until
// the new one is complete.

#include <string>
#include <vector>

#include "config/config.hpp"
#include "fs/document_root.hpp"

namespace learnhttpd::serve {

struct SiteFiles {
  // One per site of config::effectiveSites(config), in that order.
  std::vector<fs::DocumentRoot> roots;

  // Opens every site's root. False, with `error` naming the site and the path, when one is not
  // an accessible directory; `out` is then left as it was.
  static bool open(const config::Config& config, SiteFiles& out, std::string& error);
  // Lines for the error log: where a root's open fell back from openat2 (once per root).
  std::vector<std::string> notices() const;
};

}  // namespace learnhttpd::serve
