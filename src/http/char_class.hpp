// SPDX-License-Identifier: MIT
#pragma once
// Internal to http/: byte classification tables from the RFC 9110 grammar, and ASCII helpers
// that do not depend on the C locale. All constexpr; no state.

#include <array>
#include <cstdint>
#include <string_view>

namespace learnhttpd::http::detail {

enum CharClass : std::uint8_t {
  kTchar = 1U << 0,       // token characters (RFC 9110 section 5.6.2)
  kFieldValue = 1U << 1,  // VCHAR, obs-text, SP and HTAB: allowed inside a field value
  kTargetChar = 1U << 2,  // anything but CTLs and SP, allowed in a request-target
  kHexDigit = 1U << 3,
};

constexpr std::array<std::uint8_t, 256> makeCharTable() noexcept {
  std::array<std::uint8_t, 256> t{};
  for (unsigned c = 0; c < 256; ++c) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    const bool tchar_punct =
        std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
    const bool vchar = c > 0x20 && c != 0x7F;  // includes obs-text 0x80-0xFF
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    std::uint8_t bits = 0;
    if (alnum || tchar_punct) bits |= kTchar;
    if (vchar) bits |= kFieldValue | kTargetChar;
    if (c == ' ' || c == '\t') bits |= kFieldValue;
    if (hex) bits |= kHexDigit;
    t[c] = bits;
  }
  return t;
}

inline constexpr std::array<std::uint8_t, 256> kCharTable = makeCharTable();

constexpr bool hasClass(char c, CharClass cls) noexcept {
  return (kCharTable[static_cast<unsigned char>(c)] & cls) != 0;
}

constexpr bool isOws(char c) noexcept {
  return c == ' ' || c == '\t';
}

constexpr char toLowerAscii(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Case-insensitive ASCII comparison; `lower` must already be lower-case.
constexpr bool equalsLower(std::string_view text, std::string_view lower) noexcept {
  if (text.size() != lower.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (toLowerAscii(text[i]) != lower[i]) return false;
  }
  return true;
}

constexpr std::string_view trimOws(std::string_view s) noexcept {
  while (!s.empty() && isOws(s.front())) s.remove_prefix(1);
  while (!s.empty() && isOws(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace learnhttpd::http::detail
