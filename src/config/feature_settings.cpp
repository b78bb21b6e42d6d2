// SPDX-License-Identifier: MIT
// The site features of the answer layer: redirects and rewrites, the fallback page. Each is a
// top-level key (the default of every site) and a key of a site. Their syntax rules that a
// response depends on (what a Location may hold) are http's own, shared rather than copied.
#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/settings.hpp"
#include "http/field_rules.hpp"
#include "http/location.hpp"

namespace learnhttpd::config {
namespace {

// A decoded path or a pattern of one: starts with '/' (or '*' for a suffix), at most one '*',
// and no byte that cannot be in a decoded path (NUL, control characters).
std::string readPattern(const Setting& s) {
  constexpr std::string_view kExpected =
      "expected a path like /old.html, or a pattern with one * like /blog/* or *.php";
  std::string text = readString(s, kExpected, false);
  const bool printable = std::all_of(text.begin(), text.end(), [](char c) {
    return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f;
  });
  if ((text.front() != '/' && text.front() != '*') || !printable ||
      std::count(text.begin(), text.end(), '*') > 1 || text.find('?') != std::string::npos) {
    s.reject(kExpected);
  }
  return text;
}

// No "." or ".." segment and no "//": a rewrite lands on a path as decodeTarget leaves one.
bool isNormalPath(std::string_view path) {
  if (path.find("//") != std::string_view::npos) return false;
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view segment = path.substr(start, end - start);
    if (segment == "." || segment == "..") return false;
    start = end + 1;
  }
  return true;
}

PathRuleConfig readPathRule(const Setting& s, const YAML::Node& item, bool redirect) {
  const std::string_view expected =
      redirect ? "expected a rule like {from: /old/*, to: /new/*, status: 301}"
               : "expected a rule like {from: /app/*, to: /index.html}";
  if (!item.IsMap()) s.rejectItem(item, expected);
  PathRuleConfig rule;
  bool has_from = false;
  bool has_to = false;
  for (const auto& entry : item) {
    const YAML::Node& key = entry.first;
    const std::string name = key.IsScalar() ? key.Scalar() : std::string();
    const bool known = name == "from" || name == "to" || (redirect && name == "status");
    if (!known) {
      fail(s.source(), lineOf(key),
           s.key() + ": unknown key '" + name + "', expected from, to" +
               (redirect ? " and status" : ""));
    }
    const Setting field(s.source(), s.key() + "." + name, key, entry.second);
    if (name == "from") {
      rule.from = readPattern(field);
      has_from = true;
    } else if (name == "to") {
      constexpr std::string_view kRedirect =
          "expected a path like /new/* or a URL like https://example.org/*, with at most one *";
      constexpr std::string_view kRewrite =
          "expected a path of this site like /index.html or /pages/*.html, with at most one *";
      rule.to = readString(field, redirect ? kRedirect : kRewrite, false);
      if (!http::isRuleTarget(rule.to, redirect) ||
          (!redirect && (rule.to.find('?') != std::string::npos || !isNormalPath(rule.to)))) {
        field.reject(redirect ? kRedirect : kRewrite);
      }
      has_to = true;
    } else {
      const unsigned status = readUnsigned(field, 301, 308, "expected 301, 302, 307 or 308");
      if (status != 301 && status != 302 && status != 307 && status != 308) {
        field.reject("expected 301, 302, 307 or 308");
      }
      rule.status = static_cast<int>(status);
    }
  }
  if (!has_from || !has_to) s.rejectItem(item, expected);
  // The captured part needs somewhere to come from.
  if (rule.to.find('*') != std::string::npos && rule.from.find('*') == std::string::npos) {
    Setting(s.source(), s.key() + ".to", item["to"], item["to"])
        .failAt(item["to"], "has a * but from has none to fill it");
  }
  return rule;
}

std::vector<PathRuleConfig> readPathRules(const Setting& s, bool redirect) {
  if (!s.value().IsSequence()) {
    s.reject(redirect ? "expected a list of rules like - {from: /old/*, to: /new/*}"
                      : "expected a list of rules like - {from: /app/*, to: /index.html}");
  }
  std::vector<PathRuleConfig> rules;
  for (const YAML::Node& item : s.value()) {
    const Setting rule(s.source(), s.key() + "[" + std::to_string(rules.size()) + "]", item, item);
    rules.push_back(readPathRule(rule, item, redirect));
  }
  return rules;
}

// An absolute, normalised path under the document root (as error pages are).
std::string readPagePath(const Setting& s) {
  constexpr std::string_view kPage = "expected a page path under the root, like /index.html";
  std::string path = readString(s, kPage, false);
  if (path.front() != '/' || path.back() == '/' || !isNormalPath(path) ||
      path.find('\0') != std::string::npos) {
    s.reject(kPage);
  }
  return path;
}

constexpr std::array kFallbackFields = {
    Field{"page", [](const Setting& s, Config& c) { c.fallback.page = readPagePath(s); }},
    Field{"extensionless_only",
          [](const Setting& s, Config& c) { c.fallback.extensionless_only = readBool(s); }},
};

// "/index.html", or {page: /index.html, extensionless_only: true}, or off.
void readFallback(const Setting& s, Config& c) {
  c.fallback = {};
  if (s.value().IsScalar() && s.value().Scalar() == "off") return;
  if (s.value().IsScalar()) {
    c.fallback.page = readPagePath(s);
    return;
  }
  if (!s.value().IsMap()) {
    s.reject(
        "expected a page like /index.html, a mapping like {page: /index.html, "
        "extensionless_only: true}, or off");
  }
  readFields(s.source(), s.value(), kFallbackFields, s.key() + ".", c);
  if (c.fallback.page.empty()) s.failAt(s.value(), "needs a page");
}

// A path prefix of the decoded path: starts with '/', printable, no '*' (prefixes, not patterns).
std::string readPrefix(const Setting& s, const YAML::Node& item) {
  constexpr std::string_view kExpected = "expected a path prefix like /downloads/";
  if (!item.IsScalar() || item.Scalar().empty()) s.rejectItem(item, kExpected);
  const std::string& text = item.Scalar();
  const bool printable = std::all_of(text.begin(), text.end(), [](char c) {
    return static_cast<unsigned char>(c) > 0x20 && c != 0x7f && c != '*';
  });
  if (text.front() != '/' || !printable) s.rejectItem(item, kExpected);
  return text;
}

std::vector<std::string> readPrefixes(const Setting& s) {
  std::vector<YAML::Node> items;
  if (s.value().IsScalar()) {
    items.push_back(s.value());
  } else if (s.value().IsSequence()) {
    for (const YAML::Node& item : s.value()) items.push_back(item);
  }
  if (items.empty()) s.reject("expected a path prefix like /downloads/ or a list of them");
  std::vector<std::string> prefixes;
  prefixes.reserve(items.size());
  for (const YAML::Node& item : items) prefixes.push_back(readPrefix(s, item));
  return prefixes;
}

constexpr std::array kListingFields = {
    Field{"paths", [](const Setting& s, Config& c) { c.listing.paths = readPrefixes(s); }},
    Field{"max_entries",
          [](const Setting& s, Config& c) {
            c.listing.max_entries =
                readUnsigned(s, 1, 100000, "expected a number of entries 1-100000");
          }},
};

// true (the whole site), false, a prefix or a list of them, or {paths: [...], max_entries: N}.
void readListing(const Setting& s, Config& c) {
  c.listing = {};
  if (s.value().IsScalar()) {
    if (const std::optional<bool> on = boolNamed(s.value().Scalar())) {
      if (*on) c.listing.paths = {"/"};
      return;
    }
  }
  if (s.value().IsMap()) {
    readFields(s.source(), s.value(), kListingFields, s.key() + ".", c);
    if (c.listing.paths.empty()) c.listing.paths = {"/"};
    return;
  }
  c.listing.paths = readPrefixes(s);
}

// A realm is sent inside a quoted-string (RFC 9110 section 5.6.4): kept to visible ASCII and
// spaces without '"' and '\\', so it needs no escaping and cannot end the field.
std::string readRealm(const Setting& s) {
  constexpr std::string_view kExpected =
      "expected a realm of letters, digits, spaces and punctuation (no quotes or backslashes)";
  std::string text = readString(s, kExpected, false);
  const bool plain = std::all_of(text.begin(), text.end(), [](char c) {
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
  });
  if (!plain || text.size() > 200) s.reject(kExpected);
  return text;
}

AuthRuleConfig readAuthRule(const Setting& s, const YAML::Node& item) {
  constexpr std::string_view kExpected =
      "expected a rule like {path: /private/, realm: Staff, htpasswd: /etc/learnhttpd/staff}";
  if (!item.IsMap()) s.rejectItem(item, kExpected);
  AuthRuleConfig rule;
  bool has_file = false;
  bool has_realm = false;
  for (const auto& entry : item) {
    const YAML::Node& key = entry.first;
    const std::string name = key.IsScalar() ? key.Scalar() : std::string();
    const Setting field(s.source(), s.key() + "." + name, key, entry.second);
    if (name == "path") {
      rule.path = readPrefix(field, entry.second);
    } else if (name == "realm") {
      rule.realm = readRealm(field);
      has_realm = true;
    } else if (name == "htpasswd") {
      rule.htpasswd = readString(field, "expected the path of an htpasswd file", false);
      has_file = true;
    } else {
      fail(s.source(), lineOf(key),
           s.key() + ": unknown key '" + name + "', expected path, realm and htpasswd");
    }
  }
  if (!has_file || !has_realm) s.rejectItem(item, kExpected);
  return rule;
}

// A list of rules per path prefix (auth, cors): each item read by `readRule`, one rule a path.
template <typename Rule>
std::vector<Rule> readPrefixRules(const Setting& s, std::string_view example,
                                  Rule (*readRule)(const Setting&, const YAML::Node&)) {
  if (!s.value().IsSequence()) s.reject("expected a list of rules like - " + std::string(example));
  std::vector<Rule> rules;
  for (const YAML::Node& item : s.value()) {
    const Setting rule(s.source(), s.key() + "[" + std::to_string(rules.size()) + "]", item, item);
    rules.push_back(readRule(rule, item));
    for (std::size_t i = 0; i + 1 < rules.size(); ++i) {
      if (rules[i].path == rules.back().path) {
        rule.failAt(item, "path " + rules.back().path + " has a rule already");
      }
    }
  }
  return rules;
}

std::vector<AuthRuleConfig> readAuth(const Setting& s) {
  return readPrefixRules(s, "{path: /private/, realm: Staff, htpasswd: ...}", readAuthRule);
}

// A serialized origin (RFC 6454 section 6.1): "http" or "https", "://", a host, an optional
// port; nothing after. "null" is refused: any sandboxed page sends it.
std::string readOrigin(const Setting& s, const YAML::Node& item) {
  constexpr std::string_view kExpected = "expected an origin like https://app.example:8443";
  if (!item.IsScalar()) s.rejectItem(item, kExpected);
  std::string text = item.Scalar();
  std::transform(text.begin(), text.end(), text.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  std::string_view rest = text;
  if (rest.starts_with("https://")) {
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else {
    s.rejectItem(item, kExpected);
  }
  const bool host_chars = !rest.empty() && std::all_of(rest.begin(), rest.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == ':' ||
           c == '[' || c == ']' || c == '_';
  });
  // The one builder of redirect targets knows a host: an origin is such a target without path.
  if (!host_chars || !http::isRuleTarget(text, true)) s.rejectItem(item, kExpected);
  return text;
}

std::vector<std::string> readTokens(const Setting& s, std::string_view expected) {
  if (!s.value().IsSequence()) s.reject(expected);
  std::vector<std::string> tokens;
  for (const YAML::Node& item : s.value()) {
    if (!item.IsScalar() || !http::isToken(item.Scalar())) s.rejectItem(item, expected);
    tokens.push_back(item.Scalar());
  }
  return tokens;
}

CorsRuleConfig readCorsRule(const Setting& s, const YAML::Node& item) {
  constexpr std::string_view kExpected =
      "expected a rule like {path: /api/, origins: [https://app.example]}";
  if (!item.IsMap()) s.rejectItem(item, kExpected);
  CorsRuleConfig rule;
  bool has_origins = false;
  for (const auto& entry : item) {
    const YAML::Node& key = entry.first;
    const std::string name = key.IsScalar() ? key.Scalar() : std::string();
    const Setting field(s.source(), s.key() + "." + name, key, entry.second);
    if (name == "path") {
      rule.path = readPrefix(field, entry.second);
    } else if (name == "origins") {
      has_origins = true;
      if (entry.second.IsScalar() && entry.second.Scalar() == "*") {
        rule.any_origin = true;
        continue;
      }
      if (!entry.second.IsSequence() || entry.second.size() == 0) {
        field.reject("expected \"*\" or a list of origins like [https://app.example]");
      }
      for (const YAML::Node& origin : entry.second)
        rule.origins.push_back(readOrigin(field, origin));
    } else if (name == "methods") {
      rule.methods = readTokens(field, "expected a list of methods like [GET, HEAD]");
    } else if (name == "headers") {
      rule.headers = readTokens(field, "expected a list of field names like [Authorization]");
    } else if (name == "max_age") {
      rule.max_age = readDuration(field, true);
    } else if (name == "credentials") {
      rule.credentials = readBool(field);
    } else if (name == "always") {
      rule.always = readBool(field);
    } else {
      fail(s.source(), lineOf(key),
           s.key() + ": unknown key '" + name +
               "', expected path, origins, methods, headers, max_age, credentials and always");
    }
  }
  if (!has_origins) s.rejectItem(item, kExpected);
  if (rule.any_origin && rule.credentials) {
    s.failAt(item,
             "credentials: true cannot go with origins \"*\": browsers refuse it, and "
             "allowing every origin with the user's credentials would hand them to any "
             "site; list the origins");
  }
  return rule;
}

std::vector<CorsRuleConfig> readCors(const Setting& s) {
  return readPrefixRules(s, "{path: /api/, origins: [https://app.example]}", readCorsRule);
}

constexpr std::array kFeatureFields = {
    Field{"redirects", [](const Setting& s, Config& c) { c.redirects = readPathRules(s, true); }},
    Field{"rewrites", [](const Setting& s, Config& c) { c.rewrites = readPathRules(s, false); }},
    Field{"fallback", readFallback},
    Field{"listing", readListing},
    Field{"auth", [](const Setting& s, Config& c) { c.auth = readAuth(s); }},
    Field{"cors", [](const Setting& s, Config& c) { c.cors = readCors(s); }},
};

}  // namespace

std::span<const Field> featureFields() {
  return kFeatureFields;
}

std::vector<std::string> featureSettingNames() {
  std::vector<std::string> names;
  names.reserve(kFallbackFields.size() + kListingFields.size());
  for (const Field& field : kFallbackFields) names.push_back("fallback." + std::string(field.name));
  for (const Field& field : kListingFields) names.push_back("listing." + std::string(field.name));
  return names;
}

}  // namespace learnhttpd::config
