// SPDX-License-Identifier: MIT
#pragma once
// SiteFiles: what the master opens for every site before it forks, as root, so that a reload
// with a missing root is refused while the old workers keep serving, and the workers inherit
// what they need without permissions of their own on the paths' parents: each site's document
// root (a directory descriptor) and the password files of its auth rules (read and checked:
// they may be readable by root alone). Built again, whole, by every reload -- the files are
// re-read then -- and the old one is kept until the new one is complete.

#include <map>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "fs/document_root.hpp"
#include "serve/htpasswd.hpp"

namespace learnhttpd::serve {

struct SiteFiles {
  // One per site of config::effectiveSites(config), in that order.
  std::vector<fs::DocumentRoot> roots;
  // Every auth rule's htpasswd file, by the path the configuration names (read once each).
  std::map<std::string, Htpasswd, std::less<>> passwords;

  // Opens every site's root and reads every password file. False, with one line in `errors`
  // per problem (naming the site and the path, or the file's line), when one cannot be used;
  // `out` is then left as it was. `warnings`: what works but is worth a line (a file without
  // users).
  static bool open(const config::Config& config, SiteFiles& out, std::vector<std::string>& errors,
                   std::vector<std::string>& warnings);
  // The same, the problems joined into one line.
  static bool open(const config::Config& config, SiteFiles& out, std::string& error);
  // Lines for the error log: where a root's open fell back from openat2 (once per root).
  std::vector<std::string> notices() const;
};

}  // namespace learnhttpd::serve
