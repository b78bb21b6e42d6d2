// SPDX-License-Identifier: MIT
#pragma once
// The configuration's keys, for config/ alone: the top-level table the files are applied
// through, the checks made once every file is read, and the readers of the settings that end
// up in the answers' heads (http_settings.cpp). A new setting is a row in its section's table
// (settings.cpp or http_settings.cpp), its default in config.hpp, and its entry in
// learnhttpd.yaml(5) and etc/learnhttpd.yaml (tests check both).

#include <span>
#include <string>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "config/yaml_fields.hpp"

namespace learnhttpd::config {

// The top-level keys ("include" among them: an error where no file was read).
std::span<const Field> topFields();
// The checks of several keys together (a TLS listener's files, the redirect's port, hidden
// index and error pages), pointing at the setting at fault in whichever file it stands.
void checkAcrossKeys(const Origins& where, const std::string& main_source, const Config& config);
// Every key: the top-level ones and the named keys of the sections ("log.level").
std::vector<std::string> allSettingNames();

// ---- http_settings.cpp ----------------------------------------------------------------------
std::vector<std::pair<std::string, std::string>> readMimeTypes(const Setting& s);
std::vector<HeaderRuleConfig> readHeaders(const Setting& s);
std::vector<std::pair<int, std::string>> readErrorPages(const Setting& s);
std::string readCharset(const Setting& s);
bool readHiddenFiles(const Setting& s);
void readGzip(const Setting& s, Config& config);
std::span<const Field> gzipFields();
// Refuses an index or error page that hidden_files would never serve. `where`: the keys of the
// mapping being checked (the top level, or a site's); `prefix` names them ("sites[1].").
void checkHiddenPaths(const Origins& where, const SiteSettings& settings, std::string_view prefix);

// ---- feature_settings.cpp -------------------------------------------------------------------
// The site features' keys (redirects, rewrites, fallback ...), top-level rows and site keys.
std::span<const Field> featureFields();
// Their named sub-keys ("fallback.page").
std::vector<std::string> featureSettingNames();

// ---- site_settings.cpp ----------------------------------------------------------------------
// `sites:` (read after every other top-level key, so a site starts from the final defaults).
void readSites(const Setting& s, Config& config);
// The keys a site may set, for settingNames() ("sites.names", "sites.default").
std::vector<std::string> siteOnlySettingNames();
// Across all sites, once every file is read: no name twice, one default, names on the others.
void checkSites(Config& config);

}  // namespace learnhttpd::config
