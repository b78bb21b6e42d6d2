// SPDX-License-Identifier: MIT
#include "http/location.hpp"

#include <algorithm>
#include <iterator>
#include <string>

#include "http/char_class.hpp"
#include "http/host.hpp"

namespace learnhttpd::http {
namespace {

using detail::equalsLower;
using detail::toLowerAscii;

// The longest name DNS can carry (RFC 1035 section 2.3.4), with a final dot.
constexpr std::size_t kMaxHost = 255;

// The length of "http://" or "https://" (any case) at the start of `target`, else 0.
std::size_t absolutePrefix(std::string_view target) noexcept {
  for (std::string_view scheme : {std::string_view("http://"), std::string_view("https://")}) {
    if (target.size() >= scheme.size() && equalsLower(target.substr(0, scheme.size()), scheme)) {
      return scheme.size();
    }
  }
  return 0;
}

constexpr bool isLabelChar(char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
         c == '_';
}

// Non-empty labels separated by single dots, with an optional final dot ("example.org.").
bool isDnsName(std::string_view name) noexcept {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  bool label_empty = true;
  for (char c : name) {
    if (c == '.') {
      if (label_empty) return false;
      label_empty = true;
    } else if (isLabelChar(c)) {
      label_empty = false;
    } else {
      return false;
    }
  }
  return !label_empty;
}

// The host of a valid authority (http::isValidHost): up to the port's colon, brackets kept.
std::string_view hostOf(std::string_view authority) noexcept {
  if (!authority.empty() && authority.front() == '[') {
    return authority.substr(0, authority.find(']') + 1);
  }
  return authority.substr(0, authority.find(':'));
}

bool isRedirectHost(std::string_view host) noexcept {
  if (host.empty() || host.size() > kMaxHost) return false;
  // isValidHost has checked an IP literal's shape: IPv6 holds hex digits, ':' and '.' only.
  if (host.front() == '[') return host.size() > 2 && toLowerAscii(host[1]) != 'v';
  return isDnsName(host);
}

// The one percent-encoder: every byte of `text` that `keep` does not accept becomes %XX.
template <typename Keep>
void appendEncoded(std::string& out, std::string_view text, Keep keep) {
  constexpr std::string_view kHex = "0123456789ABCDEF";
  for (char c : text) {
    if (keep(c)) {
      out.push_back(c);
      continue;
    }
    const auto byte = static_cast<unsigned char>(c);
    out.push_back('%');
    out.push_back(kHex[byte >> 4]);
    out.push_back(kHex[byte & 0xf]);
  }
}

// RFC 3986 unreserved / sub-delims / ':' / '@': safe inside a path segment as they are.
bool safeInSegment(char c) noexcept {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("-._~!$&'()*+,;=:@").find(c) != std::string_view::npos;
}

// A query keeps its own escapes ('%') and RFC 3986 query characters.
bool safeInQuery(char c) noexcept {
  return safeInSegment(c) || c == '/' || c == '?' || c == '%';
}

// A target as the client sent it: visible ASCII stays (a browser encodes the rest itself before
// following the value).
bool visibleAscii(char c) noexcept {
  const auto byte = static_cast<unsigned char>(c);
  return byte > 0x20 && byte < 0x7f;
}

// The path (and query) of a rule target: what a browser reads as a path and nothing else.
bool safeInRulePath(char c) noexcept {
  return safeInSegment(c) || c == '/' || c == '?' || c == '%';
}

// The query of the raw target ("?..." up to any fragment), encoded as it goes into Location.
void appendQueryOf(std::string_view target, std::string& out) {
  const std::size_t query = target.find('?');
  if (query != std::string_view::npos) {
    appendEncoded(out, target.substr(query, target.find('#', query) - query), safeInQuery);
  }
}

}  // namespace

void appendEncodedSegment(std::string_view segment, std::string& out) {
  appendEncoded(out, segment, [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
  });
}

bool isRuleTarget(std::string_view to, bool absolute) noexcept {
  std::string_view path = to;
  if (const std::size_t scheme = absolutePrefix(to); scheme != 0) {
    if (!absolute) return false;
    const std::string_view rest = to.substr(scheme);
    const std::size_t end = std::min(rest.find_first_of("/?#"), rest.size());
    const std::string_view authority = rest.substr(0, end);
    if (!isValidHost(authority) || !isRedirectHost(hostOf(authority))) return false;
    path = rest.substr(end);
    if (path.empty()) return true;
  }
  if (path.empty() || path.front() != '/' || (path.size() > 1 && path[1] == '/')) return false;
  const std::size_t query = path.find('?');
  const std::string_view before_query = path.substr(0, query);
  if (before_query.find("//") != std::string_view::npos) return false;
  if (std::count(path.begin(), path.end(), '*') > 1) return false;
  if (query != std::string_view::npos && path.find('*', query) != std::string_view::npos) {
    return false;
  }
  for (std::size_t i = 0; i < path.size(); ++i) {
    const char c = path[i];
    if (c == '%') {
      if (i + 2 >= path.size() || !detail::hasClass(path[i + 1], detail::kHexDigit) ||
          !detail::hasClass(path[i + 2], detail::kHexDigit)) {
        return false;
      }
    } else if (!safeInRulePath(c)) {
      return false;
    }
  }
  return true;
}

void appendRuleLocation(std::string_view to, std::string_view captured, std::string_view target,
                        std::string& out) {
  std::string_view rest = to;
  if (const std::size_t scheme = absolutePrefix(to); scheme != 0) {
    const std::size_t end = std::min(to.find_first_of("/?#", scheme), to.size());
    out.append(to.substr(0, end));  // the host the rule names, checked by isRuleTarget
    rest = to.substr(end);
    if (rest.empty()) out.push_back('/');
  }
  const std::size_t star = rest.find('*');
  const std::string_view before = rest.substr(0, star);
  out.append(before);
  if (star != std::string_view::npos) {
    // Segment by segment, so a '/' of the captured part never follows another '/': a captured
    // "/evil.example/x" after "/" is "/evil.example/x", not "//evil.example/x".
    std::size_t begin = 0;
    while (begin <= captured.size()) {
      std::size_t end = captured.find('/', begin);
      if (end == std::string_view::npos) end = captured.size();
      if (end > begin) appendEncoded(out, captured.substr(begin, end - begin), safeInSegment);
      if (end < captured.size() && (out.empty() || out.back() != '/')) out.push_back('/');
      begin = end + 1;
    }
    std::string_view after = rest.substr(star + 1);
    if (!after.empty() && after.front() == '/' && !out.empty() && out.back() == '/') {
      after.remove_prefix(1);
    }
    out.append(after);
  }
  if (rest.find('?') == std::string_view::npos) appendQueryOf(target, out);
}

std::optional<std::string_view> requestAuthority(const Request& request) noexcept {
  // RFC 9112 section 3.2.2: an absolute-form target's authority overrides Host.
  if (const std::size_t scheme = absolutePrefix(request.target); scheme != 0) {
    const std::string_view rest = request.target.substr(scheme);
    return rest.substr(0, rest.find_first_of("/?#"));
  }
  if (request.has_host && !request.host.empty()) return request.host;
  return std::nullopt;
}

bool appendHttpsLocation(std::string_view authority, std::string_view target, std::uint16_t port,
                         std::string& out) {
  if (!isValidHost(authority)) return false;
  const std::string_view host = hostOf(authority);
  if (!isRedirectHost(host)) return false;
  std::string_view path = target;
  if (const std::size_t scheme = absolutePrefix(target); scheme != 0) {
    const std::string_view rest = target.substr(scheme);
    path = rest.substr(std::min(rest.find_first_of("/?#"), rest.size()));
  }
  out.append("https://");
  std::transform(host.begin(), host.end(), std::back_inserter(out), toLowerAscii);
  if (port != 443) {
    out.push_back(':');
    out.append(std::to_string(port));
  }
  // The authority ends where the path begins: a path must start with '/' so that nothing of
  // it can be read as more of the host.
  if (path.empty() || path.front() != '/') out.push_back('/');
  appendEncoded(out, path, visibleAscii);
  return true;
}

void appendDirectoryLocation(std::string_view decoded_path, std::string_view target,
                             std::string& out) {
  const std::size_t start = out.size();
  std::size_t begin = 0;
  while (begin < decoded_path.size()) {
    std::size_t end = decoded_path.find('/', begin);
    if (end == std::string_view::npos) end = decoded_path.size();
    if (end > begin) {
      out.push_back('/');
      appendEncoded(out, decoded_path.substr(begin, end - begin), safeInSegment);
    }
    begin = end + 1;
  }
  if (out.size() == start || out.back() != '/') out.push_back('/');
  // The query is kept as sent (its escapes are the client's business), minus any byte that
  // does not belong in a header value or a URL.
  appendQueryOf(target, out);
}

}  // namespace learnhttpd::http
