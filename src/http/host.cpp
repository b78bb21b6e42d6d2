// SPDX-License-Identifier: MIT
#include "http/host.hpp"

#include "http/char_class.hpp"

namespace learnhttpd::http {
namespace {

using detail::hasClass;
using detail::kHexDigit;

constexpr bool isAlnum(char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

constexpr bool isUnreservedOrSubDelim(char c) noexcept {
  return isAlnum(c) || std::string_view("-._~!$&'()*+,;=").find(c) != std::string_view::npos;
}

// reg-name = *( unreserved / pct-encoded / sub-delims )
bool isRegName(std::string_view s) noexcept {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size() || !hasClass(s[i + 1], kHexDigit) || !hasClass(s[i + 2], kHexDigit)) {
        return false;
      }
      i += 2;
    } else if (!isUnreservedOrSubDelim(s[i])) {
      return false;
    }
  }
  return true;
}

// The inside of "[...]". IPv6address is checked for its alphabet and shape (hex groups of at
// most four digits, at least two colons, at most one "::", an optional dotted-quad tail), which
// is what keeps an authority from hiding in it; IPvFuture = "v" 1*HEXDIG "." 1*( unreserved /
// sub-delims / ":" ).
bool isIpLiteral(std::string_view s) noexcept {
  if (s.empty()) return false;
  if (s[0] == 'v' || s[0] == 'V') {
    std::size_t i = 1;
    while (i < s.size() && hasClass(s[i], kHexDigit)) ++i;
    if (i == 1 || i == s.size() || s[i] != '.' || i + 1 == s.size()) return false;
    for (++i; i < s.size(); ++i) {
      if (s[i] != ':' && !isUnreservedOrSubDelim(s[i])) return false;
    }
    return true;
  }
  std::size_t colons = 0;
  std::size_t group = 0;  // hex digits in the current group
  bool double_colon = false;
  bool dotted = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == ':') {
      if (dotted) return false;
      if (i > 0 && s[i - 1] == ':') {
        if (double_colon) return false;
        double_colon = true;
      }
      ++colons;
      group = 0;
    } else if (c == '.') {
      dotted = true;  // the IPv4 tail: digits and dots only from here on
    } else if (hasClass(c, kHexDigit)) {
      if (dotted && !(c >= '0' && c <= '9')) return false;
      if (!dotted && ++group > 4) return false;
    } else {
      return false;
    }
  }
  return colons >= 2 && colons <= 7;
}

bool isPort(std::string_view s) noexcept {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

bool isValidHost(std::string_view value) noexcept {
  std::string_view host = value;
  std::string_view port;
  if (!value.empty() && value.front() == '[') {
    const std::size_t close = value.find(']');
    if (close == std::string_view::npos || !isIpLiteral(value.substr(1, close - 1))) return false;
    std::string_view rest = value.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return false;
    return rest.empty() || isPort(rest.substr(1));
  }
  // A reg-name holds no colon, so the first one starts the port.
  const std::size_t colon = value.find(':');
  if (colon != std::string_view::npos) {
    host = value.substr(0, colon);
    port = value.substr(colon + 1);
  }
  return isRegName(host) && isPort(port);
}

}  // namespace learnhttpd::http
