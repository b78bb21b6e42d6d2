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
void checkHiddenPaths(const Origins& where, const Config& config);

}  // namespace learnhttpd::config
