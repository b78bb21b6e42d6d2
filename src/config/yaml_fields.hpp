// SPDX-License-Identifier: MIT
#pragma once
// The YAML side of the loader, for config/ alone (the one folder that sees yaml-cpp): a setting
// being read (Setting), with the one-line errors that name file, line and key; the readers of
// one scalar; tables of named fields with "did you mean"; and where a top-level setting came
// from, for the checks made once every file is read. Everything throws ConfigError.

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "config/config_loader.hpp"

namespace learnhttpd::config {

// yaml-cpp counts lines from 0; editors count from 1.
int lineOf(const YAML::Node& node);
// Throws ConfigError("SOURCE:LINE: MESSAGE").
[[noreturn]] void fail(const std::string& source, int line, std::string_view message);
// "'text'", "a list", "an empty mapping", "nothing": what a message says was found.
std::string describe(const YAML::Node& node);

// One `key: value` being read, with what an error message about it needs.
class Setting {
 public:
  Setting(const std::string& source, std::string key, const YAML::Node& key_node,
          const YAML::Node& value)
      : source_(source), key_(std::move(key)), key_node_(key_node), value_(value) {}

  const std::string& source() const { return source_; }
  const std::string& key() const { return key_; }
  const YAML::Node& value() const { return value_; }

  // "SOURCE:LINE: KEY: EXPECTED, got 'VALUE'" about `node` (the value or an item of it).
  [[noreturn]] void reject(std::string_view expected) const { rejectItem(value_, expected); }
  [[noreturn]] void rejectItem(const YAML::Node& node, std::string_view expected) const {
    fail(source_, lineFor(node), key_ + ": " + std::string(expected) + ", got " + describe(node));
  }
  [[noreturn]] void failAt(const YAML::Node& node, std::string_view message) const {
    fail(source_, lineFor(node), key_ + ": " + std::string(message));
  }

  // The text of the value, which must be a scalar (an empty `key:` is null, not "").
  std::string_view scalar(std::string_view expected) const {
    if (!value_.IsScalar()) {
      reject(expected);
    }
    return value_.Scalar();
  }

 private:
  // A null value's mark points past the key, often at the next line; the key's line is the one
  // the author has to edit.
  int lineFor(const YAML::Node& node) const {
    return node.IsNull() ? lineOf(key_node_) : lineOf(node);
  }

  const std::string& source_;
  std::string key_;
  const YAML::Node& key_node_;
  const YAML::Node& value_;
};

// ---- readers of one scalar -------------------------------------------------------------------

// The text; empty only when `allow_empty`.
std::string readString(const Setting& s, std::string_view expected, bool allow_empty);
// Plain decimal digits within [min, max].
std::uint64_t readNumber(const Setting& s, std::uint64_t min, std::uint64_t max,
                         std::string_view expected);
unsigned readUnsigned(const Setting& s, unsigned min, unsigned max, std::string_view expected);
// true/false and the YAML 1.1 spellings (yes/no, on/off); nullopt for anything else.
std::optional<bool> boolNamed(std::string_view text);
bool readBool(const Setting& s);
// A duration like 75s or 500ms; 0 only when `allow_zero`.
Duration readDuration(const Setting& s, bool allow_zero);

// ---- tables of named fields ------------------------------------------------------------------

using Apply = void (*)(const Setting&, Config&);

// One key of a mapping and how its value is applied to a Config.
struct Field {
  std::string_view name;
  Apply apply;
};

// The field `key` names; throws "unknown key 'PREFIX.KEY', did you mean ...?" otherwise.
const Field& knownField(const std::string& source, const YAML::Node& key,
                        std::span<const Field> fields, std::string_view prefix);
// Applies every entry of the mapping `map` through `fields`; a key twice is an error.
void readFields(const std::string& source, const YAML::Node& map, std::span<const Field> fields,
                std::string_view prefix, Config& config);

// Where a top-level setting was read: its file and its nodes. The checks made once every file
// is read point at the setting they are about, in whichever file it is.
struct Origin {
  const std::string* source;
  YAML::Node key;
  YAML::Node value;
};
using Origins = std::map<std::string, Origin, std::less<>>;

// fail() at the value of the setting `name` (at line 1 of `main_source` when it was not set).
[[noreturn]] void failAtSetting(const Origins& where, std::string_view name,
                                const std::string& main_source, std::string_view message);

}  // namespace learnhttpd::config
