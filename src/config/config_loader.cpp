// SPDX-License-Identifier: MIT
// Walks the YAML tree into a Config. Each setting has one reader; every error is thrown as a
// one-line ConfigError naming the file, the line of the offending node and the key, so that a
// failed reload can be logged and fixed without guessing.

#include "config/config_loader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <deque>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "config/include_paths.hpp"

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

namespace {

// yaml-cpp counts lines from 0; editors count from 1.
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

// ---- readers of one value ------------------------------------------------------------------

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

std::size_t readHeaderBytes(const Setting& s) {
  constexpr std::string_view kExpected = "expected a size from 1k to 1m, like 16384 or 16k";
  constexpr std::size_t kMin = 1024;
  constexpr std::size_t kMax = std::size_t{1024} * 1024;
  std::size_t value = 0;
  try {
    value = parseSize(s.scalar(kExpected));
  } catch (const std::invalid_argument&) {
    s.reject(kExpected);
  }
  if (value < kMin || value > kMax) {
    s.reject(kExpected);
  }
  return value;
}

unsigned readWorkers(const Setting& s) {
  constexpr std::string_view kExpected = "expected a number of workers 1-1024 or auto";
  if (s.scalar(kExpected) == "auto") {
    return 0;
  }
  return readUnsigned(s, 1, 1024, kExpected);
}

WorkerModel readWorkerModel(const Setting& s) {
  const std::string expected = "expected one of " + modelNames();
  const auto model = modelNamed(s.scalar(expected));
  if (!model) {
    s.reject(expected);
  }
  return *model;
}

// "N" (a fixed pool) or "MIN..MAX" (a pool that grows and shrinks).
void readThreads(const Setting& s, Config& c) {
  constexpr std::string_view kExpected =
      "expected a number of threads 1-1024, or a range MIN..MAX like 4..64";
  const auto range = parseThreads(s.scalar(kExpected));
  if (!range) {
    s.reject(kExpected);
  }
  c.min_threads = range->first;
  c.threads = range->second;
}

std::string readLogLevel(const Setting& s) {
  constexpr std::string_view kExpected =
      "expected one of trace, debug, info, warn, error, critical, off";
  constexpr std::array<std::string_view, 7> kLevels = {"trace", "debug",    "info", "warn",
                                                       "error", "critical", "off"};
  const std::string_view text = s.scalar(kExpected);
  if (std::find(kLevels.begin(), kLevels.end(), text) == kLevels.end()) {
    s.reject(kExpected);
  }
  return std::string(text);
}

ListenAddress readListenItem(const Setting& s, const YAML::Node& item) {
  constexpr std::string_view kExpected =
      "expected an address like 0.0.0.0:8080, [::1]:8080 or 8080, optionally followed by "
      "\" ssl\"";
  if (!item.IsScalar()) {
    s.rejectItem(item, kExpected);
  }
  std::string_view text = item.Scalar();
  bool tls = false;
  if (std::size_t space = text.find(' '); space != std::string_view::npos) {
    std::string_view flag = text.substr(space + 1);
    flag.remove_prefix(std::min(flag.find_first_not_of(' '), flag.size()));
    if (flag != "ssl") {
      s.rejectItem(item, kExpected);
    }
    tls = true;
    text = text.substr(0, space);
  }
  try {
    ListenAddress address = parseListenAddress(text);
    address.tls = tls;
    return address;
  } catch (const std::invalid_argument&) {
    s.rejectItem(item, kExpected);
  }
}

std::vector<ListenAddress> readListen(const Setting& s) {
  std::vector<YAML::Node> items;
  if (s.value().IsScalar()) {
    items.push_back(s.value());
  } else if (s.value().IsSequence()) {
    for (const YAML::Node& item : s.value()) {
      items.push_back(item);
    }
  }
  if (items.empty()) {
    s.reject("expected an address or a list of at least one address");
  }
  std::vector<ListenAddress> addresses;
  for (const YAML::Node& item : items) {
    const ListenAddress address = readListenItem(s, item);
    // Compared after normalising, so "8080" and "0.0.0.0:8080" are caught too: binding both
    // would fail at start with a less helpful EADDRINUSE.
    if (std::any_of(addresses.begin(), addresses.end(),
                    [&](const ListenAddress& a) { return sameSocket(a, address); })) {
      s.failAt(item, "address '" + item.Scalar() + "' is listed twice");
    }
    addresses.push_back(address);
  }
  return addresses;
}

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
    const std::string text = readString(item, "expected a type like application/wasm", false);
    if (text.find('/') == std::string::npos) {
      item.reject("expected a type like application/wasm");
    }
    const auto same = [&](const auto& known) { return known.first == extension.Scalar(); };
    if (std::any_of(types.begin(), types.end(), same)) {
      s.failAt(extension, "extension '" + extension.Scalar() + "' is listed twice");
    }
    types.emplace_back(extension.Scalar(), text);
  }
  return types;
}

std::size_t readCacheBytes(const Setting& s) {
  constexpr std::string_view kExpected = "expected a size from 0 to 64g, like 64m";
  std::size_t value = 0;
  try {
    value = parseSize(s.scalar(kExpected));
  } catch (const std::invalid_argument&) {
    s.reject(kExpected);
  }
  if (value > (std::size_t{64} << 30)) {
    s.reject(kExpected);
  }
  return value;
}

// ---- headers and error pages ---------------------------------------------------------------

// RFC 9110 section 5.6.2: token characters.
bool isTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool sameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Fields the server writes itself: a rule setting one would send it twice or contradict the
// body (framing, validators, the coding).
constexpr std::array<std::string_view, 17> kManagedFields = {
    "server",        "date",          "content-type", "content-length",    "content-encoding",
    "content-range", "accept-ranges", "etag",         "last-modified",     "location",
    "allow",         "connection",    "keep-alive",   "transfer-encoding", "vary",
    "trailer",       "upgrade"};

void readFieldName(const Setting& s, const YAML::Node& name) {
  if (!name.IsScalar() || name.Scalar().empty() ||
      !std::all_of(name.Scalar().begin(), name.Scalar().end(), isTokenChar)) {
    s.rejectItem(name, "expected a field name like Cache-Control (letters, digits, -)");
  }
  for (std::string_view managed : kManagedFields) {
    if (sameName(managed, name.Scalar())) {
      s.failAt(name, "'" + name.Scalar() + "' is written by the server itself");
    }
  }
}

// RFC 9110 section 5.5: visible characters, spaces and tabs inside; no CR, LF or NUL, which
// would end the field (response splitting), and no surrounding whitespace.
std::string readFieldValue(const Setting& s) {
  constexpr std::string_view kExpected =
      "expected a field value of visible characters (no line breaks or control characters)";
  std::string text = readString(s, kExpected, false);
  const auto allowed = [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte == '\t' || (byte >= 0x20 && byte != 0x7f);
  };
  if (!std::all_of(text.begin(), text.end(), allowed) || text.front() == ' ' ||
      text.front() == '\t' || text.back() == ' ' || text.back() == '\t') {
    s.reject(kExpected);
  }
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
      if (sameName(known.first, name)) s.failAt(entry.first, "'" + name + "' is set twice");
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
  if (text.empty() || boolNamed(text).has_value() ||
      !std::all_of(text.begin(), text.end(), isTokenChar)) {
    s.reject(kExpected);
  }
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

// ---- the key tables -------------------------------------------------------------------------

using Apply = void (*)(const Setting&, Config&);

struct Field {
  std::string_view name;
  Apply apply;
};

void readFields(const std::string& source, const YAML::Node& map, std::span<const Field> fields,
                std::string_view prefix, Config& config);

constexpr std::array kLogFields = {
    Field{"level", [](const Setting& s, Config& c) { c.log.level = readLogLevel(s); }},
    Field{"error_log",
          [](const Setting& s, Config& c) {
            c.log.error_log = readString(s, "expected stderr, stdout or a file path", false);
          }},
    Field{"access_log",
          [](const Setting& s, Config& c) {
            c.log.access_log = readString(s, "expected stdout, stderr, off or a file path", false);
          }},
    Field{"quiet", [](const Setting& s, Config& c) { c.log.quiet = readBool(s); }},
};

void readLog(const Setting& s, Config& config) {
  if (!s.value().IsMap()) {
    s.reject("expected a mapping of log settings, like { level: info }");
  }
  readFields(s.source(), s.value(), kLogFields, "log.", config);
}

constexpr std::array kOpenFileCacheFields = {
    Field{"entries",
          [](const Setting& s, Config& c) {
            c.open_file_cache.entries =
                readUnsigned(s, 0, 10'000'000, "expected a number of entries 0-10000000 (0 = off)");
          }},
    Field{"max_bytes",
          [](const Setting& s, Config& c) { c.open_file_cache.max_bytes = readCacheBytes(s); }},
};

void readOpenFileCache(const Setting& s, Config& config) {
  if (!s.value().IsMap()) {
    s.reject("expected a mapping like { entries: 10000, max_bytes: 64m }");
  }
  readFields(s.source(), s.value(), kOpenFileCacheFields, "open_file_cache.", config);
}

constexpr std::array kStatusFields = {
    Field{"listen",
          [](const Setting& s, Config& c) {
            constexpr std::string_view kExpected =
                "expected an address like 127.0.0.1:8081 or [::1]:8081";
            try {
              c.status.listen = parseListenAddress(s.scalar(kExpected));
            } catch (const std::invalid_argument&) {
              s.reject(kExpected);
            }
          }},
    Field{"allow_remote", [](const Setting& s, Config& c) { c.status.allow_remote = readBool(s); }},
};

// The listener answers anyone who can connect, without authentication: an address other hosts
// can reach must be asked for twice, by the address and by allow_remote.
void readStatus(const Setting& s, Config& config) {
  if (!s.value().IsMap()) {
    s.reject("expected a mapping like { listen: \"127.0.0.1:8081\" }");
  }
  readFields(s.source(), s.value(), kStatusFields, "status.", config);
  const StatusConfig& status = config.status;
  if (status.listen && !status.allow_remote && !isLoopback(*status.listen)) {
    const YAML::Node& listen = s.value()["listen"];
    const Setting item(s.source(), "status.listen", listen, listen);
    item.failAt(listen, "'" + listen.Scalar() +
                            "' is not a loopback address; the status listener has no "
                            "authentication, so bind 127.0.0.1 or ::1, or set "
                            "status.allow_remote: true");
  }
}

// ---- gzip ------------------------------------------------------------------------------------

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
  const bool tokens =
      std::all_of(text.begin(), text.end(), [](char c) { return c == '/' || isTokenChar(c); });
  if (!tokens || slash == 0 || slash == std::string::npos || slash + 1 == text.size() ||
      text.find('/', slash + 1) != std::string::npos) {
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

constexpr std::array kGzipFields = {
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
  readFields(s.source(), s.value(), kGzipFields, "gzip.", config);
  const GzipConfig& gzip = config.gzip;
  if (gzip.min_length <= gzip.max_length) return;
  if (const YAML::Node max = s.value()["max_length"]) {
    Setting(s.source(), "gzip.max_length", max, max)
        .failAt(max, std::to_string(gzip.max_length) + " is below gzip.min_length (" +
                         std::to_string(gzip.min_length) + ")");
  }
  const YAML::Node min = s.value()["min_length"];
  Setting(s.source(), "gzip.min_length", min, min)
      .failAt(min, std::to_string(gzip.min_length) + " is above gzip.max_length (" +
                       std::to_string(gzip.max_length) + ")");
}

// The fields of one item of tls.certificates; the item being read is the last one.
constexpr std::array kTlsPairFields = {
    Field{"certificate",
          [](const Setting& s, Config& c) {
            c.tls.certificates.back().certificate =
                readString(s, "expected the path of a PEM certificate chain", false);
          }},
    Field{"key",
          [](const Setting& s, Config& c) {
            c.tls.certificates.back().key =
                readString(s, "expected the path of a PEM private key", false);
          }},
};

void readTlsCertificates(const Setting& s, Config& config) {
  constexpr std::string_view kExpected =
      "expected a list of pairs like - {certificate: /etc/ssl/a/fullchain.pem, key: "
      "/etc/ssl/a/key.pem}";
  if (!s.value().IsSequence()) s.reject(kExpected);
  config.tls.certificates.clear();
  for (const YAML::Node& item : s.value()) {
    const std::string name = s.key() + "[" + std::to_string(config.tls.certificates.size()) + "]";
    const Setting pair(s.source(), name, item, item);
    if (!item.IsMap()) pair.reject("expected a mapping like {certificate: ..., key: ...}");
    config.tls.certificates.emplace_back();
    readFields(s.source(), item, kTlsPairFields, name + ".", config);
    const TlsPairConfig& read = config.tls.certificates.back();
    if (read.certificate.empty() || read.key.empty()) {
      pair.failAt(item, std::string("needs both certificate and key, ") +
                            (read.certificate.empty() ? "certificate" : "key") + " is missing");
    }
  }
}

constexpr std::array kTlsFields = {
    Field{"certificate",
          [](const Setting& s, Config& c) {
            c.tls.certificate =
                readString(s, "expected the path of a PEM certificate chain", false);
          }},
    Field{"key",
          [](const Setting& s, Config& c) {
            c.tls.key = readString(s, "expected the path of a PEM private key", false);
          }},
    Field{"hsts", [](const Setting& s, Config& c) { c.tls.hsts = readDuration(s, true); }},
    Field{"certificates", readTlsCertificates},
};

void readTls(const Setting& s, Config& config) {
  if (!s.value().IsMap()) {
    s.reject(
        "expected a mapping like { certificate: /etc/ssl/fullchain.pem, key: /etc/ssl/key.pem }");
  }
  readFields(s.source(), s.value(), kTlsFields, "tls.", config);
}

// Where a top-level setting was read: its file and its nodes. The checks made once every file
// is read (below) point at the setting they are about, in whichever file it is.
struct Origin {
  const std::string* source;
  YAML::Node key;
  YAML::Node value;
};
using Origins = std::map<std::string, Origin, std::less<>>;

[[noreturn]] void failAtSetting(const Origins& where, std::string_view name,
                                const std::string& main_source, std::string_view message) {
  const auto it = where.find(name);
  if (it == where.end()) fail(main_source, 1, message);
  fail(*it->second.source, lineOf(it->second.value), message);
}

// A TLS listener needs both files; the error points at the listen setting.
void checkTlsListeners(const Origins& where, const std::string& main_source, const Config& config) {
  if (!hasTlsListener(config)) return;
  if (config.tls.certificate.empty() || config.tls.key.empty()) {
    failAtSetting(where, "listen", main_source,
                  "listen: an \"ssl\" address needs tls.certificate and tls.key");
  }
}

// "true" (the port of the "ssl" listeners), "false", or the port to name in Location.
void readHttpsRedirect(const Setting& s, Config& c) {
  constexpr std::string_view kExpected = "expected true, false or a port 1-65535";
  const std::string_view text = s.scalar(kExpected);
  if (!text.empty() && text.front() >= '0' && text.front() <= '9') {
    c.redirect_to_https.enabled = true;
    c.redirect_to_https.port = static_cast<std::uint16_t>(readNumber(s, 1, 65535, kExpected));
    return;
  }
  const std::optional<bool> enabled = boolNamed(text);
  if (!enabled) {
    s.reject(kExpected);
  }
  c.redirect_to_https.enabled = *enabled;
  c.redirect_to_https.port = 0;
}

// Checked once every key is read: the listen addresses may come after redirect_to_https.
void checkHttpsRedirect(const Origins& where, const std::string& main_source,
                        const Config& config) {
  if (std::string problem = httpsRedirectProblem(config); !problem.empty()) {
    failAtSetting(where, "redirect_to_https", main_source, problem);
  }
}

// Checked once every key is read: hidden_files may come after index and error_pages, in any
// file. A page or index the server would never serve is a mistake to report here, not a 404 to
// puzzle over.
void checkHiddenPaths(const Origins& where, const Config& config) {
  if (!config.deny_hidden_files) return;
  // The index is a relative name, found in any directory: every component of it counts, a
  // leading .well-known too (the exception is for the first component of a request path).
  if (const auto index = where.find("index");
      index != where.end() && isHiddenPath(config.index)) {
    failHidden(*index->second.source, index->second.value, "index");
  }
  const auto pages = where.find("error_pages");
  if (pages == where.end() || !pages->second.value.IsMap()) return;
  for (const auto& entry : pages->second.value) {
    if (isHiddenPath(entry.second.Scalar())) {
      failHidden(*pages->second.source, entry.second,
                 "error_pages[" + entry.first.Scalar() + "]");
    }
  }
}

// `include:` where no file was read (loadConfigString): there is no directory to start from.
// A file's includes are taken by ConfigFiles below before any setting is applied.
void rejectInclude(const Setting& s, Config&) {
  s.failAt(s.value(), "only a configuration file read from disk may include others");
}

constexpr std::array kTopFields = {
    Field{"listen", [](const Setting& s, Config& c) { c.listen = readListen(s); }},
    Field{"document_root",
          [](const Setting& s, Config& c) {
            c.document_root = readString(s, "expected a directory path", false);
          }},
    Field{"index", [](const Setting& s,
                      Config& c) { c.index = readString(s, "expected a file name", false); }},
    Field{"missing_index_status",
          [](const Setting& s, Config& c) {
            c.missing_index_status =
                static_cast<int>(readUnsigned(s, 403, 404, "expected 403 or 404"));
          }},
    Field{"workers", [](const Setting& s, Config& c) { c.workers = readWorkers(s); }},
    Field{"worker_model", [](const Setting& s, Config& c) { c.worker_model = readWorkerModel(s); }},
    Field{"threads", readThreads},
    Field{"thread_idle_timeout",
          [](const Setting& s, Config& c) { c.thread_idle_timeout = readDuration(s, false); }},
    Field{"max_connections",
          [](const Setting& s, Config& c) {
            c.max_connections = readUnsigned(s, 1, 1'000'000, "expected a number 1-1000000");
          }},
    Field{"keepalive_timeout",
          [](const Setting& s, Config& c) { c.keepalive_timeout = readDuration(s, true); }},
    Field{"keepalive_requests",
          [](const Setting& s, Config& c) {
            c.keepalive_requests = readUnsigned(s, 0, std::numeric_limits<unsigned>::max(),
                                                "expected a number of requests, 0 or more");
          }},
    Field{"header_timeout",
          [](const Setting& s, Config& c) { c.header_timeout = readDuration(s, false); }},
    Field{"send_timeout",
          [](const Setting& s, Config& c) { c.send_timeout = readDuration(s, false); }},
    Field{"max_header_bytes",
          [](const Setting& s, Config& c) { c.max_header_bytes = readHeaderBytes(s); }},
    Field{"shutdown_timeout",
          [](const Setting& s, Config& c) { c.shutdown_timeout = readDuration(s, false); }},
    Field{"worker_timeout",
          [](const Setting& s, Config& c) { c.worker_timeout = readDuration(s, false); }},
    Field{"user",
          [](const Setting& s, Config& c) {
            c.user = readString(s, "expected a user name, or \"\" to keep the current user", true);
          }},
    Field{"pid_file",
          [](const Setting& s, Config& c) {
            c.pid_file = readString(s, "expected a file path, or \"\" for none", true);
          }},
    Field{"log", readLog},
    Field{"mime_types", [](const Setting& s, Config& c) { c.mime_types = readMimeTypes(s); }},
    Field{"charset", [](const Setting& s, Config& c) { c.charset = readCharset(s); }},
    Field{"open_file_cache", readOpenFileCache},
    Field{"status", readStatus},
    Field{"precompressed", [](const Setting& s, Config& c) { c.precompressed = readBool(s); }},
    Field{"gzip", readGzip},
    Field{"headers", [](const Setting& s, Config& c) { c.headers = readHeaders(s); }},
    Field{"error_pages", [](const Setting& s, Config& c) { c.error_pages = readErrorPages(s); }},
    Field{"hidden_files",
          [](const Setting& s, Config& c) { c.deny_hidden_files = readHiddenFiles(s); }},
    Field{"tls", readTls},
    Field{"redirect_to_https", readHttpsRedirect},
    Field{"include", rejectInclude},
};

// ---- walking a mapping ----------------------------------------------------------------------

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

// The field `key` names; throws the "unknown key ... did you mean" error otherwise.
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

// ---- documents ------------------------------------------------------------------------------

// Counts the documents of a text without building them. yaml-cpp 0.7 reports an endless run
// of empty documents for a stray leading ',' (found by fuzz_config_loader); YAML::LoadAll
// would collect them until memory runs out, so the count is bounded first.
class DocumentCounter final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override {
    ++documents;
    last = mark;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

  std::size_t documents = 0;
  YAML::Mark last;
};

// More documents than any configuration has; past this the parser is not making progress.
constexpr std::size_t kMaxDocuments = 64;

void checkDocumentCount(const std::string& text, const std::string& source) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentCounter counter;
  while (counter.documents <= kMaxDocuments && parser.HandleNextDocument(counter)) {
  }
  if (counter.documents > kMaxDocuments) {
    fail(source, std::max(counter.last.line, 0) + 1,
         "the YAML parser makes no progress here (a stray ',' or flow indicator?)");
  }
}

// The one document of the text, or a null node when there is none (empty, only comments).
YAML::Node parseDocument(std::string_view yaml, const std::string& source) {
  std::vector<YAML::Node> all;
  try {
    const std::string text(yaml);
    checkDocumentCount(text, source);
    all = YAML::LoadAll(text);
  } catch (const YAML::ParserException& e) {
    throw ConfigError(source + ":" + std::to_string(e.mark.line + 1) + ":" +
                      std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  // Copied rather than erased in place: assigning a YAML::Node rebinds the node it refers to
  // instead of the handle, so std::erase_if would rewrite the documents themselves.
  std::vector<YAML::Node> documents;
  for (const YAML::Node& document : all) {
    if (!document.IsNull()) {
      documents.push_back(document);
    }
  }
  if (documents.size() > 1) {
    fail(source, lineOf(documents[1]), "expected one YAML document, found a second one");
  }
  return documents.empty() ? YAML::Node() : documents.front();
}

struct FileCloser {
  int fd;
  ~FileCloser() { ::close(fd); }
};

[[noreturn]] void failRead(const std::string& path, int error) {
  throw ConfigError(path + ": cannot read: " + std::generic_category().message(error));
}

// A file's text, and its identity (device, inode) to tell a file included twice.
struct FileText {
  std::string text;
  std::pair<dev_t, ino_t> id;
};

FileText readFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    failRead(path, errno);
  }
  const FileCloser closer{fd};
  FileText file;
  struct stat st {};
  if (::fstat(fd, &st) != 0) failRead(path, errno);
  file.id = {st.st_dev, st.st_ino};
  std::array<char, 16384> chunk{};
  for (;;) {
    const ssize_t got = ::read(fd, chunk.data(), chunk.size());
    if (got == 0) {
      return file;
    }
    if (got < 0 && errno != EINTR) {
      failRead(path, errno);
    }
    if (got > 0) {
      file.text.append(chunk.data(), static_cast<std::size_t>(got));
    }
  }
}

// ---- the files of one configuration ----------------------------------------------------------

// Top-level keys that several files may each set, their values concatenated in reading order
// (each included file where its `include:` stands). Every other key may be set once in the whole
// configuration. None yet: `sites:` (a later issue) is meant to be the first, and its reader
// must then append to what the files before gave instead of replacing it.
constexpr std::array<std::string_view, 0> kConcatenatedKeys{};

bool concatenated(std::string_view name) {
  return std::find(kConcatenatedKeys.begin(), kConcatenatedKeys.end(), name) !=
         kConcatenatedKeys.end();
}

// Bounds, far above a real configuration, on what a mistake (a glob matching a huge folder, a
// chain of includes) can make the loader read.
constexpr std::size_t kMaxIncludeDepth = 8;
constexpr std::size_t kMaxFiles = 1000;

// The main file and every file it includes (`include:` a file, a glob or a list of them,
// relative to the including file's folder), read in order, then applied as one mapping.
class ConfigFiles {
 public:
  // The main file: read, parsed, and its includes followed.
  void readMain(const std::string& path) {
    FileText file = readFile(path);
    add(path, file, 0, nullptr);
  }

  // Text not read from a file: it may not include (see rejectInclude).
  void addText(std::string_view yaml, const std::string& source) {
    files_.push_back({source, parseDocument(yaml, source)});
    collect(files_.back(), 0, false);
  }

  // Every setting of every file, over the defaults; each key once (kConcatenatedKeys aside).
  Config apply(const std::string& main_source) const {
    Config config;
    config.source = main_source;
    Origins where;
    for (const Origin& entry : entries_) {
      const Field& field = knownField(*entry.source, entry.key, kTopFields, "");
      const std::string& name = entry.key.Scalar();
      const auto [first, fresh] = where.try_emplace(name, entry);
      if (!fresh && !concatenated(name)) {
        std::string message = "duplicate key '" + name + "'";
        if (first->second.source != entry.source) {
          message += ", already set at " + *first->second.source + ":" +
                     std::to_string(lineOf(first->second.key));
        }
        fail(*entry.source, lineOf(entry.key), message);
      }
      field.apply(Setting(*entry.source, name, entry.key, entry.value), config);
    }
    checkTlsListeners(where, main_source, config);
    checkHttpsRedirect(where, main_source, config);
    checkHiddenPaths(where, config);
    return config;
  }

 private:
  struct File {
    std::string path;
    YAML::Node root;
  };

  // `site`: the include item that named this file (nullptr for the main file).
  void add(const std::string& path, const FileText& file, std::size_t depth, const Origin* site) {
    // Neither can happen to the main file (site == nullptr), the first one read.
    const std::string& where = site != nullptr ? *site->source : path;
    const int line = site != nullptr ? lineOf(site->value) : 1;
    if (!ids_.insert(file.id).second) {
      fail(where, line,
           "include: " + path +
               " is already part of the configuration (included twice, or an include cycle)");
    }
    if (files_.size() >= kMaxFiles) {
      fail(where, line, "include: more than " + std::to_string(kMaxFiles) + " files");
    }
    files_.push_back({path, parseDocument(file.text, path)});
    collect(files_.back(), depth, true);
  }

  void collect(const File& file, std::size_t depth, bool may_include) {
    const YAML::Node& root = file.root;
    if (!root.IsDefined() || root.IsNull()) return;
    if (!root.IsMap()) fail(file.path, lineOf(root), "expected a mapping of settings");
    bool included = false;
    for (const auto& entry : root) {
      const Origin origin{&file.path, entry.first, entry.second};
      if (!may_include || !entry.first.IsScalar() || entry.first.Scalar() != "include") {
        entries_.push_back(origin);
        continue;
      }
      if (included) fail(file.path, lineOf(entry.first), "duplicate key 'include'");
      included = true;
      include(origin, depth);
    }
  }

  void include(const Origin& origin, std::size_t depth) {
    const Setting setting(*origin.source, "include", origin.key, origin.value);
    constexpr std::string_view kExpected =
        "expected a file, a pattern like conf.d/*.yaml, or a list of them";
    std::vector<YAML::Node> items;
    if (origin.value.IsScalar()) {
      items.push_back(origin.value);
    } else if (origin.value.IsSequence()) {
      for (const YAML::Node& item : origin.value) items.push_back(item);
    } else {
      setting.reject(kExpected);
    }
    for (const YAML::Node& item : items) {
      if (!item.IsScalar() || item.Scalar().empty()) setting.rejectItem(item, kExpected);
      if (depth + 1 > kMaxIncludeDepth) {
        setting.failAt(item,
                       "nested more than " + std::to_string(kMaxIncludeDepth) + " files deep");
      }
      std::vector<std::string> paths;
      try {
        paths = includedFiles(item.Scalar(), directoryOf(*origin.source));
      } catch (const std::runtime_error& e) {
        setting.failAt(item, e.what());
      }
      const Origin site{origin.source, origin.key, item};
      for (const std::string& path : paths) {
        FileText file;
        try {
          file = readFile(path);
        } catch (const ConfigError& e) {
          setting.failAt(item, e.what());  // a named file that is missing: an error, as nginx
        }
        add(path, file, depth + 1, &site);
      }
    }
  }

  std::deque<File> files_;  // a deque: entries_ point at the paths of earlier files
  std::vector<Origin> entries_;
  std::set<std::pair<dev_t, ino_t>> ids_;
};

}  // namespace

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
  std::vector<std::string> names;
  const auto add = [&](std::string_view prefix, std::span<const Field> fields) {
    for (const Field& field : fields)
      names.push_back(std::string(prefix) + std::string(field.name));
  };
  add("", kTopFields);
  add("log.", kLogFields);
  add("open_file_cache.", kOpenFileCacheFields);
  add("status.", kStatusFields);
  add("gzip.", kGzipFields);
  add("tls.", kTlsFields);
  return names;
}

}  // namespace learnhttpd::config
