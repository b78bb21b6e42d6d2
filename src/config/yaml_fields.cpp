// SPDX-License-Identifier: MIT
#include "config/yaml_fields.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>
#include <vector>

#include "config/value_parsers.hpp"

namespace learnhttpd::config {
namespace {

std::size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> previous(b.size() + 1);
  std::vector<std::size_t> current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) {
    previous[j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitute = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitute});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

std::string unknownKeyMessage(std::string_view name, std::span<const Field> fields,
                              std::string_view prefix) {
  constexpr std::size_t kMaxTypos = 2;
  std::string message = "unknown key '" + std::string(prefix) + std::string(name) + "'";
  const Field* nearest = nullptr;
  std::size_t nearest_distance = kMaxTypos + 1;
  for (const Field& field : fields) {
    const std::size_t distance = editDistance(name, field.name);
    if (distance < nearest_distance) {
      nearest = &field;
      nearest_distance = distance;
    }
  }
  if (nearest != nullptr) {
    message += ", did you mean '" + std::string(prefix) + std::string(nearest->name) + "'?";
  }
  return message;
}

}  // namespace

int lineOf(const YAML::Node& node) {
  return std::max(node.Mark().line, 0) + 1;
}

[[noreturn]] void fail(const std::string& source, int line, std::string_view message) {
  throw ConfigError(source + ":" + std::to_string(line) + ": " + std::string(message));
}

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return "'" + node.Scalar() + "'";
    case YAML::NodeType::Sequence:
      return node.size() == 0 ? "an empty list" : "a list";
    case YAML::NodeType::Map:
      return node.size() == 0 ? "an empty mapping" : "a mapping";
    default:
      return "nothing";
  }
}

std::string readString(const Setting& s, std::string_view expected, bool allow_empty) {
  const std::string_view text = s.scalar(expected);
  if (text.empty() && !allow_empty) {
    s.reject(expected);
  }
  return std::string(text);
}

std::uint64_t readNumber(const Setting& s, std::uint64_t min, std::uint64_t max,
                         std::string_view expected) {
  const auto value = parseUnsigned(s.scalar(expected), max);
  if (!value || *value < min) {
    s.reject(expected);
  }
  return *value;
}

unsigned readUnsigned(const Setting& s, unsigned min, unsigned max, std::string_view expected) {
  return static_cast<unsigned>(readNumber(s, min, max, expected));
}

std::optional<bool> boolNamed(std::string_view text) {
  // YAML 1.1 spellings too, since yaml-cpp and most people's habits accept them.
  for (const std::string_view yes : {"true", "True", "TRUE", "yes", "Yes", "on", "On"}) {
    if (text == yes) {
      return true;
    }
  }
  for (const std::string_view no : {"false", "False", "FALSE", "no", "No", "off", "Off"}) {
    if (text == no) {
      return false;
    }
  }
  return std::nullopt;
}

bool readBool(const Setting& s) {
  constexpr std::string_view kExpected = "expected true or false";
  const std::optional<bool> value = boolNamed(s.scalar(kExpected));
  if (!value) {
    s.reject(kExpected);
  }
  return *value;
}

Duration readDuration(const Setting& s, bool allow_zero) {
  constexpr std::string_view kExpected = "expected a duration like 75s or 500ms";
  Duration value{};
  try {
    value = parseDuration(s.scalar(kExpected));
  } catch (const std::invalid_argument&) {
    s.reject(kExpected);
  }
  if (value == Duration::zero() && !allow_zero) {
    s.reject("expected a duration above zero, like 75s or 500ms");
  }
  return value;
}

const Field& knownField(const std::string& source, const YAML::Node& key,
                        std::span<const Field> fields, std::string_view prefix) {
  if (!key.IsScalar()) {
    fail(source, lineOf(key), "expected a setting name, got " + describe(key));
  }
  const std::string& name = key.Scalar();
  const auto field =
      std::find_if(fields.begin(), fields.end(), [&](const Field& f) { return f.name == name; });
  if (field == fields.end()) {
    fail(source, lineOf(key), unknownKeyMessage(name, fields, prefix));
  }
  return *field;
}

void readFields(const std::string& source, const YAML::Node& map, std::span<const Field> fields,
                std::string_view prefix, Config& config) {
  std::set<std::string, std::less<>> seen;
  for (const auto& entry : map) {
    const YAML::Node& key = entry.first;
    const Field* field = &knownField(source, key, fields, prefix);
    const std::string& name = key.Scalar();
    const std::string full_name = std::string(prefix) + name;
    // yaml-cpp keeps both entries of a repeated key; silently taking one would hide a mistake.
    if (!seen.insert(name).second) {
      fail(source, lineOf(key), "duplicate key '" + full_name + "'");
    }
    field->apply(Setting(source, full_name, key, entry.second), config);
  }
}

[[noreturn]] void failAtSetting(const Origins& where, std::string_view name,
                                const std::string& main_source, std::string_view message) {
  const auto it = where.find(name);
  if (it == where.end()) fail(main_source, 1, message);
  fail(*it->second.source, lineOf(it->second.value), message);
}

}  // namespace learnhttpd::config
