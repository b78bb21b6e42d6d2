// SPDX-License-Identifier: MIT
// learnhttpd.yaml(5) stays true: every key the loader accepts has an entry, and the defaults
// the entries state, read back as YAML, are the server's own.

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "config/config_loader.hpp"

namespace learnhttpd::config {
namespace {

const std::string kManPage = std::string(LEARNHTTPD_SOURCE_DIR) + "/packaging/learnhttpd.yaml.5";

std::string readPage() {
  std::ifstream file(kManPage);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// roff escapes used in the values: "\-" is a hyphen.
std::string unescape(std::string text) {
  for (std::size_t at = text.find("\\-"); at != std::string::npos; at = text.find("\\-", at)) {
    text.erase(at, 1);
  }
  return text;
}

// KEY -> DEFAULT of the entries "\fBKEY\fR: \fIDEFAULT\fR" (one a line).
std::map<std::string, std::string> statedDefaults(const std::string& page) {
  std::map<std::string, std::string> defaults;
  std::istringstream lines(page);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("\\fB")) continue;
    const std::size_t key_end = line.find("\\fR: \\fI");
    if (key_end == std::string::npos || !line.ends_with("\\fR")) continue;
    const std::size_t value_start = key_end + 8;
    defaults[unescape(line.substr(3, key_end - 3))] =
        unescape(line.substr(value_start, line.size() - 3 - value_start));
  }
  return defaults;
}

TEST(ConfigManPage, HasAnEntryForEveryKeyTheLoaderAccepts) {
  const std::string page = readPage();
  ASSERT_FALSE(page.empty()) << kManPage;
  for (const std::string& name : settingNames()) {
    std::string entry = "\n\\fB";
    for (char c : name) {
      if (c == '-') entry += '\\';
      entry += c;
    }
    entry += "\\fR";
    EXPECT_NE(page.find(entry), std::string::npos) << name << " has no entry in " << kManPage;
  }
}

TEST(ConfigManPage, TheDefaultsItStatesAreTheServers) {
  const std::map<std::string, std::string> defaults = statedDefaults(readPage());
  ASSERT_GT(defaults.size(), 30U);
  // "log.level: info" becomes "log:\n  level: info"; each mapping once.
  std::map<std::string, std::vector<std::string>> nested;
  std::string yaml;
  for (const auto& [key, value] : defaults) {
    const std::size_t dot = key.find('.');
    if (dot == std::string::npos) {
      yaml += key + ": " + value + "\n";
    } else {
      nested[key.substr(0, dot)].push_back(key.substr(dot + 1) + ": " + value);
    }
  }
  for (const auto& [section, lines] : nested) {
    yaml += section + ":\n";
    for (const std::string& line : lines) yaml += "  " + line + "\n";
  }
  Config expected;
  expected.source = "man page";
  EXPECT_EQ(loadConfigString(yaml, "man page"), expected) << yaml;
}

// Every key the page gives a default for is one the loader knows (no stale entry).
TEST(ConfigManPage, StatesNoDefaultForAKeyThatDoesNotExist) {
  const std::vector<std::string> names = settingNames();
  for (const auto& [key, value] : statedDefaults(readPage())) {
    EXPECT_NE(std::find(names.begin(), names.end(), key), names.end()) << key;
  }
}

}  // namespace
}  // namespace learnhttpd::config
