// SPDX-License-Identifier: MIT
#include "http/https_location.hpp"

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

void appendEscaped(std::string& out, char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (byte > 0x20 && byte < 0x7f) {
    out.push_back(c);
    return;
  }
  constexpr std::string_view kHex = "0123456789ABCDEF";
  out.push_back('%');
  out.push_back(kHex[byte >> 4]);
  out.push_back(kHex[byte & 0xf]);
}

}  // namespace

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
  for (char c : path) appendEscaped(out, c);
  return true;
}

}  // namespace learnhttpd::http
