// SPDX-License-Identifier: MIT
// Loading a Config: the files (config_files.hpp) applied through the key tables (settings.hpp)
// with the YAML machinery of yaml_fields.hpp. Every error is one ConfigError naming the file,
// the line of the offending node and the key, so that a failed reload can be logged and fixed
// without guessing.

#include "config/config_loader.hpp"

#include "config/config_files.hpp"
#include "config/settings.hpp"

namespace learnhttpd::config {
namespace {

std::string printable(const std::string& text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (c >= 0x20 && c != 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

}  // namespace

ConfigError::ConfigError(const std::string& message) : std::runtime_error(printable(message)) {}

Config loadConfigFile(const std::string& path) {
  try {
    ConfigFiles files;
    files.readMain(path);
    return files.apply(path);
  } catch (const YAML::Exception& e) {
    // Not expected (every node is type-checked before use); kept so that no yaml-cpp exception
    // type ever escapes this library.
    throw ConfigError(path + ": " + e.what());
  }
}

Config loadConfigString(std::string_view yaml, const std::string& source_name) {
  try {
    ConfigFiles files;
    files.addText(yaml, source_name);
    return files.apply(source_name);
  } catch (const YAML::Exception& e) {
    throw ConfigError(source_name + ": " + e.what());
  }
}

std::vector<std::string> settingNames() {
  return allSettingNames();
}

}  // namespace learnhttpd::config
