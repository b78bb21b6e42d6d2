// SPDX-License-Identifier: MIT
#pragma once
// The YAML loader's contract for ANY text: it returns a Config or throws ConfigError whose
// message is one line starting with the source name, free of raw control characters (they
// would reach a terminal or a log); nothing else escapes. Shared by
// fuzz_config_loader and lh_fuzz_corpus_tests (which replays its corpus on any compiler).

#include <exception>
#include <string>
#include <string_view>

#include "config/config_loader.hpp"
#include "http/target.hpp"

namespace learnhttpd::fuzz {

inline constexpr std::string_view kConfigSource = "fuzz.yaml";

inline const char* checkConfigText(std::string_view yaml) {
  try {
    config::Config c = config::loadConfigString(yaml, std::string(kConfigSource));
    if (c.missing_index_status != 403 && c.missing_index_status != 404) {
      return "accepted a missing_index_status other than 403/404";
    }
    if (c.listen.empty()) return "accepted an empty listen list";
    if (c.status.listen && !c.status.allow_remote && !config::isLoopback(*c.status.listen)) {
      return "accepted a non-loopback status listener without allow_remote";
    }
    if (c.deny_hidden_files) {
      if (http::isHiddenPath(c.index)) return "accepted a hidden index with hidden_files: deny";
      for (const auto& page : c.error_pages) {
        if (http::isHiddenPath(page.second)) return "accepted a hidden error page";
      }
    }
    std::size_t defaults = 0;
    for (const config::SiteConfig& site : c.sites) {
      if (site.is_default) ++defaults;
      if (!site.is_default && site.names.empty()) return "accepted a site without names";
      if (site.deny_hidden_files && http::isHiddenPath(site.index)) {
        return "accepted a site with a hidden index and hidden_files: deny";
      }
    }
    if (!c.sites.empty() && defaults != 1) return "accepted sites without exactly one default";
  } catch (const config::ConfigError& e) {
    const std::string_view what = e.what();
    if (what.substr(0, kConfigSource.size()) != kConfigSource) {
      return "ConfigError does not start with the file name";
    }
    if (what.find('\n') != std::string_view::npos) return "ConfigError spans several lines";
    for (unsigned char c : what) {
      if (c < 0x20 || c == 0x7f) return "ConfigError carries a raw control character";
    }
  } catch (const std::exception&) {
    return "an exception other than ConfigError escaped";
  } catch (...) {
    return "a non-standard exception escaped";
  }
  return nullptr;
}

}  // namespace learnhttpd::fuzz
