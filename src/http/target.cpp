// SPDX-License-Identifier: MIT
#include "http/target.hpp"

#include <optional>

#include "http/char_class.hpp"

namespace learnhttpd::http {
namespace {

using detail::hasClass;
using detail::kHexDigit;
using detail::toLowerAscii;

constexpr bool startsWithLower(std::string_view text, std::string_view lower) noexcept {
  return text.size() >= lower.size() && detail::equalsLower(text.substr(0, lower.size()), lower);
}

// The path part of an origin-form or absolute-form target (RFC 9112 section 3.2), with the
// query and fragment already removed; nullopt for asterisk-form, authority-form or garbage.
std::optional<std::string_view> pathOf(std::string_view target) noexcept {
  if (!target.empty() && target.front() == '/') return target;
  std::string_view rest;
  if (startsWithLower(target, "http://")) {
    rest = target.substr(7);
  } else if (startsWithLower(target, "https://")) {
    rest = target.substr(8);
  } else {
    return std::nullopt;
  }
  const std::size_t slash = rest.find('/');
  if (slash == 0) return std::nullopt;  // "http:///x" has no host
  if (slash == std::string_view::npos) return std::string_view("/");
  return rest.substr(slash);
}

int hexValue(char c) noexcept {
  const char l = toLowerAscii(c);
  return l <= '9' ? l - '0' : l - 'a' + 10;
}

// Percent-decodes `path` into `out`; false on a malformed escape or a decoded NUL (which would
// truncate the name at the system-call boundary).
bool percentDecode(std::string_view path, std::string& out) {
  out.reserve(path.size());
  for (std::size_t i = 0; i < path.size(); ++i) {
    char c = path[i];
    if (c == '%') {
      if (i + 2 >= path.size()) return false;
      if (!hasClass(path[i + 1], kHexDigit) || !hasClass(path[i + 2], kHexDigit)) return false;
      c = static_cast<char>(hexValue(path[i + 1]) * 16 + hexValue(path[i + 2]));
      i += 2;
    }
    if (c == '\0') return false;  // literal ones too: this function may see unparsed bytes
    out.push_back(c);
  }
  return true;
}

// Rewrites the decoded absolute path in place (RFC 3986 section 5.2.4, restricted so that ".."
// never climbs above the root). The write cursor never passes the read cursor, so one buffer
// suffices. Returns nullopt when ".." would leave the root, else whether the path names a
// directory (ends in '/' or in a dot-segment).
std::optional<bool> normaliseInPlace(std::string& s) noexcept {
  const std::size_t n = s.size();
  std::size_t w = 0;  // s[0, w) is the normalised prefix, always "" or "/seg/seg"
  std::size_t r = 0;
  bool directory = true;
  while (r < n) {
    ++r;  // skip the '/' that starts this segment
    const std::size_t seg_start = r;
    while (r < n && s[r] != '/') ++r;
    const std::string_view seg(s.data() + seg_start, r - seg_start);
    directory = seg.empty() || seg == "." || seg == "..";
    if (seg == "..") {
      if (w == 0) return std::nullopt;
      w = std::string_view(s.data(), w).rfind('/');
    } else if (!seg.empty() && seg != ".") {
      s[w++] = '/';
      for (char c : seg) s[w++] = c;
    }
  }
  if (w == 0 || directory) s[w++] = '/';
  s.resize(w);
  return directory || w == 1;
}

constexpr std::string_view kWellKnown = "/.well-known";

}  // namespace

TargetPath decodeTarget(std::string_view target, std::string& out) {
  out.clear();
  TargetPath result;
  // The query and fragment are not part of the file name; cut them before decoding so that an
  // encoded "%3F" stays a literal '?' in the name.
  target = target.substr(0, target.find_first_of("?#"));
  const std::optional<std::string_view> path = pathOf(target);
  if (!path || !percentDecode(*path, out)) {
    out.clear();
    return result;
  }
  const std::optional<bool> directory = normaliseInPlace(out);
  if (!directory) {
    out.clear();
    return result;
  }
  result.ok = true;
  result.trailing_slash = *directory;
  return result;
}

bool isHiddenPath(std::string_view path) noexcept {
  if (path.starts_with(kWellKnown) &&
      (path.size() == kWellKnown.size() || path[kWellKnown.size()] == '/')) {
    path.remove_prefix(kWellKnown.size());
  }
  // A component starts right after a '/', or at the start of a relative path.
  return path.starts_with('.') || path.find("/.") != std::string_view::npos;
}

}  // namespace learnhttpd::http
