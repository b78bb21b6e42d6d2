// SPDX-License-Identifier: MIT
// The settings that end up in the answers' heads: mime_types, headers, error_pages, charset,
// hidden_files and gzip. Their syntax rules are HTTP's own (http/field_rules.hpp,
// http::isHiddenPath), shared with the server rather than copied.
#include <algorithm>
#include <cctype>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "config/settings.hpp"
#include "config/value_parsers.hpp"
#include "http/field_rules.hpp"
#include "http/target.hpp"

namespace learnhttpd::config {

std::vector<std::pair<std::string, std::string>> readMimeTypes(const Setting& s) {
  if (!s.value().IsMap()) {
    s.reject("expected a mapping of extension to type, like .wasm: application/wasm");
  }
  std::vector<std::pair<std::string, std::string>> types;
  for (const auto& entry : s.value()) {
    const YAML::Node& extension = entry.first;
    const YAML::Node& type = entry.second;
    if (!extension.IsScalar() || extension.Scalar().empty()) {
      s.rejectItem(extension, "expected an extension like .wasm");
    }
    const Setting item(s.source(), s.key() + "[" + extension.Scalar() + "]", extension, type);
    constexpr std::string_view kType = "expected a type like application/wasm";
    const std::string text = readString(item, kType, false);
    // The value goes into the head of every answer of its type as it is: one field value.
    if (text.find('/') == std::string::npos || !http::isFieldValue(text)) item.reject(kType);
    const auto same = [&](const auto& known) { return known.first == extension.Scalar(); };
    if (std::any_of(types.begin(), types.end(), same)) {
      s.failAt(extension, "extension '" + extension.Scalar() + "' is listed twice");
    }
    types.emplace_back(extension.Scalar(), text);
  }
  return types;
}

void readFieldName(const Setting& s, const YAML::Node& name) {
  if (!name.IsScalar() || !http::isToken(name.Scalar())) {
    s.rejectItem(name, "expected a field name like Cache-Control (letters, digits, -)");
  }
  if (http::isManagedField(name.Scalar())) {
    s.failAt(name, "'" + name.Scalar() + "' is written by the server itself");
  }
}

// RFC 9110 section 5.5: visible characters, spaces and tabs inside; no CR, LF or NUL, which
// would end the field (response splitting), and no surrounding whitespace.
std::string readFieldValue(const Setting& s) {
  constexpr std::string_view kExpected =
      "expected a field value of visible characters (no line breaks or control characters)";
  std::string text = readString(s, kExpected, false);
  if (!http::isFieldValue(text)) s.reject(kExpected);
  return text;
}

std::vector<std::pair<std::string, std::string>> readFieldSet(const Setting& s) {
  if (!s.value().IsMap() || s.value().size() == 0) {
    s.reject("expected a mapping of field names to values, like {Cache-Control: no-cache}");
  }
  std::vector<std::pair<std::string, std::string>> fields;
  for (const auto& entry : s.value()) {
    readFieldName(s, entry.first);
    const std::string& name = entry.first.Scalar();
    for (const auto& known : fields) {
      if (http::sameFieldName(known.first, name)) {
        s.failAt(entry.first, "'" + name + "' is set twice");
      }
    }
    const Setting value(s.source(), s.key() + "[" + name + "]", entry.first, entry.second);
    fields.emplace_back(name, readFieldValue(value));
  }
  return fields;
}

// "/prefix" (a prefix of the decoded path) or "*.ext" (an extension).
std::string readMatch(const Setting& s) {
  constexpr std::string_view kExpected =
      "expected a path prefix like /assets/ or an extension like *.html";
  std::string text = readString(s, kExpected, false);
  const bool prefix = text.front() == '/';
  const bool extension = text.size() > 2 && text.compare(0, 2, "*.") == 0 &&
                         text.find_first_of("/*", 1) == std::string::npos;
  const auto printable = [](char c) { return static_cast<unsigned char>(c) > 0x20 && c != 0x7f; };
  if ((!prefix && !extension) || !std::all_of(text.begin(), text.end(), printable)) {
    s.reject(kExpected);
  }
  return text;
}

HeaderRuleConfig readHeaderRule(const Setting& s, const YAML::Node& item) {
  constexpr std::string_view kExpected =
      "expected a rule like {match: \"/assets/\", set: {Cache-Control: \"max-age=3600\"}}";
  if (!item.IsMap()) s.rejectItem(item, kExpected);
  HeaderRuleConfig rule;
  bool has_match = false;
  bool has_set = false;
  for (const auto& entry : item) {
    const YAML::Node& key = entry.first;
    const std::string name = key.IsScalar() ? key.Scalar() : std::string();
    if (name != "match" && name != "set") {
      fail(s.source(), lineOf(key),
           s.key() + ": unknown key '" + name + "', expected match and set");
    }
    bool& seen = name == "match" ? has_match : has_set;
    if (seen) fail(s.source(), lineOf(key), "duplicate key '" + s.key() + "." + name + "'");
    seen = true;
    const Setting field(s.source(), s.key() + "." + name, key, entry.second);
    if (name == "match") {
      rule.match = readMatch(field);
    } else {
      rule.set = readFieldSet(field);
    }
  }
  if (!has_match || !has_set) s.rejectItem(item, kExpected);
  return rule;
}

std::vector<HeaderRuleConfig> readHeaders(const Setting& s) {
  if (!s.value().IsSequence()) {
    s.reject("expected a list of rules like - {match: \"/assets/\", set: {Cache-Control: ...}}");
  }
  std::vector<HeaderRuleConfig> rules;
  for (const YAML::Node& item : s.value()) {
    const Setting rule(s.source(), s.key() + "[" + std::to_string(rules.size()) + "]", item, item);
    rules.push_back(readHeaderRule(rule, item));
  }
  return rules;
}

// An absolute, normalised path under the document root: no empty, "." or ".." segment.
bool isPagePath(const std::string& path) {
  if (path.empty() || path.front() != '/' || path.back() == '/') return false;
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    const std::string_view segment(path.data() + start, end - start);
    if (segment.empty() || segment == "." || segment == "..") return false;
    start = end + 1;
  }
  return path.find('\0') == std::string::npos;
}

std::vector<std::pair<int, std::string>> readErrorPages(const Setting& s) {
  if (!s.value().IsMap()) s.reject("expected a mapping of status to page, like {404: /404.html}");
  std::vector<std::pair<int, std::string>> pages;
  for (const auto& entry : s.value()) {
    const YAML::Node& status = entry.first;
    constexpr std::string_view kStatus = "expected an error status 400-599";
    std::optional<std::uint64_t> code;
    if (status.IsScalar()) code = parseUnsigned(status.Scalar(), 599);
    if (!code || *code < 400) s.rejectItem(status, kStatus);
    const auto same = [&](const auto& known) { return known.first == static_cast<int>(*code); };
    if (std::any_of(pages.begin(), pages.end(), same)) {
      s.failAt(status, "status " + status.Scalar() + " is listed twice");
    }
    const Setting page(s.source(), s.key() + "[" + status.Scalar() + "]", status, entry.second);
    constexpr std::string_view kPage = "expected a page path under the root, like /404.html";
    std::string path = readString(page, kPage, false);
    if (!isPagePath(path)) page.reject(kPage);
    pages.emplace_back(static_cast<int>(*code), std::move(path));
  }
  return pages;
}

// A charset name is a token (RFC 9110 section 8.3.2), which also keeps the header line intact.
// "off" turns it off; the other YAML booleans are refused rather than taken for names.
std::string readCharset(const Setting& s) {
  constexpr std::string_view kExpected =
      "expected a charset name like utf-8 (letters, digits, -, _, ...), or off";
  const std::string_view text = s.scalar(kExpected);
  if (text == "off") return {};
  if (boolNamed(text).has_value() || !http::isToken(text)) s.reject(kExpected);
  return std::string(text);
}

bool readHiddenFiles(const Setting& s) {
  constexpr std::string_view kExpected = "expected deny or allow";
  const std::string_view text = s.scalar(kExpected);
  if (text != "deny" && text != "allow") s.reject(kExpected);
  return text == "deny";
}

[[noreturn]] void failHidden(const std::string& source, const YAML::Node& value,
                             const std::string& key) {
  fail(source, lineOf(value),
       key + ": '" + value.Scalar() +
           "' is a hidden path (a component starts with '.'), never served while hidden_files "
           "is deny; rename it or set hidden_files: allow");
}

// Memory: a request being compressed holds its whole output (up to about max_length) until sent.
constexpr std::uint64_t kMaxGzipLength = std::uint64_t{64} << 20;

std::uint64_t readGzipSize(const Setting& s, std::uint64_t min) {
  constexpr std::string_view kExpected = "expected a size from 0 to 64m, like 256 or 1m";
  constexpr std::string_view kExpectedOne = "expected a size from 1 to 64m, like 1m";
  std::size_t value = 0;
  try {
    value = parseSize(s.scalar(kExpected));
  } catch (const std::invalid_argument&) {
    s.reject(min == 0 ? kExpected : kExpectedOne);
  }
  if (value < min || value > kMaxGzipLength) s.reject(min == 0 ? kExpected : kExpectedOne);
  return value;
}

// "type/subtype" of RFC 9110 section 8.3.1 (tokens, no parameters), or "*"; kept lower case.
std::string readMediaType(const Setting& s, const YAML::Node& item) {
  constexpr std::string_view kExpected = "expected a media type like text/html, or \"*\"";
  if (!item.IsScalar()) s.rejectItem(item, kExpected);
  std::string text = item.Scalar();
  if (text == "*") return text;
  const std::size_t slash = text.find('/');
  if (slash == std::string::npos || !http::isToken(text.substr(0, slash)) ||
      !http::isToken(text.substr(slash + 1))) {
    s.rejectItem(item, kExpected);
  }
  std::transform(text.begin(), text.end(), text.begin(), [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  });
  return text;
}

std::vector<std::string> readGzipTypes(const Setting& s) {
  if (!s.value().IsSequence() || s.value().size() == 0) {
    s.reject("expected a list of media types like [text/html, text/css]");
  }
  std::vector<std::string> types;
  for (const YAML::Node& item : s.value()) {
    std::string type = readMediaType(s, item);
    if (std::find(types.begin(), types.end(), type) != types.end()) {
      s.failAt(item, "'" + item.Scalar() + "' is listed twice");
    }
    types.push_back(std::move(type));
  }
  return types;
}

constexpr std::array kGzipFieldTable = {
    Field{"enabled", [](const Setting& s, Config& c) { c.gzip.enabled = readBool(s); }},
    Field{"level",
          [](const Setting& s, Config& c) {
            c.gzip.level = readUnsigned(s, 1, 9, "expected a compression level 1-9");
          }},
    Field{"min_length",
          [](const Setting& s, Config& c) { c.gzip.min_length = readGzipSize(s, 0); }},
    Field{"max_length",
          [](const Setting& s, Config& c) { c.gzip.max_length = readGzipSize(s, 1); }},
    Field{"types", [](const Setting& s, Config& c) { c.gzip.types = readGzipTypes(s); }},
};

void readGzip(const Setting& s, Config& config) {
  if (!s.value().IsMap()) {
    s.reject("expected a mapping like { enabled: true, level: 1 }");
  }
  readFields(s.source(), s.value(), kGzipFieldTable, s.key() + ".", config);
  const GzipConfig& gzip = config.gzip;
  if (gzip.min_length <= gzip.max_length) return;
  if (const YAML::Node max = s.value()["max_length"]) {
    Setting(s.source(), s.key() + ".max_length", max, max)
        .failAt(max, std::to_string(gzip.max_length) + " is below " + s.key() + ".min_length (" +
                         std::to_string(gzip.min_length) + ")");
  }
  const YAML::Node min = s.value()["min_length"];
  Setting(s.source(), s.key() + ".min_length", min, min)
      .failAt(min, std::to_string(gzip.min_length) + " is above " + s.key() + ".max_length (" +
                       std::to_string(gzip.max_length) + ")");
}

std::span<const Field> gzipFields() {
  return kGzipFieldTable;
}

// Checked once every key is read: hidden_files may come after index and error_pages, in any
// file. A page or index the server would never serve is a mistake to report here, not a 404 to
// puzzle over. A site that turns hidden_files to deny over an inherited index or error page is
// told so at its hidden_files line.
void checkHiddenPaths(const Origins& where, const SiteSettings& settings, std::string_view prefix) {
  if (!settings.deny_hidden_files) return;
  const std::string key_prefix(prefix);
  const auto rule = where.find("hidden_files");
  // The index is a relative name, found in any directory: every component of it counts, a
  // leading .well-known too (the exception is for the first component of a request path).
  if (http::isHiddenPath(settings.index)) {
    if (const auto index = where.find("index"); index != where.end()) {
      failHidden(*index->second.source, index->second.value, key_prefix + "index");
    }
    if (rule != where.end()) {
      fail(*rule->second.source, lineOf(rule->second.value),
           key_prefix + "hidden_files: the index '" + settings.index +
               "' it inherits is a hidden path, never served while hidden_files is deny");
    }
  }
  const auto pages = where.find("error_pages");
  if (pages != where.end() && pages->second.value.IsMap()) {
    for (const auto& entry : pages->second.value) {
      if (http::isHiddenPath(entry.second.Scalar())) {
        failHidden(*pages->second.source, entry.second,
                   key_prefix + "error_pages[" + entry.first.Scalar() + "]");
      }
    }
    return;
  }
  if (rule == where.end()) return;
  for (const auto& [code, page] : settings.error_pages) {
    if (http::isHiddenPath(page)) {
      std::string message = key_prefix;
      message += "hidden_files: the error page '";
      message += page;
      message += "' it inherits is a hidden path, never served while hidden_files is deny";
      fail(*rule->second.source, lineOf(rule->second.value), message);
    }
  }
}

}  // namespace learnhttpd::config
