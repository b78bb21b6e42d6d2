// SPDX-License-Identifier: MIT
#include "tls/server_names.hpp"

#include <algorithm>
#include <array>

namespace learnhttpd::tls {
namespace {

// DNS names compare without regard to ASCII case (RFC 4343); nothing else is folded.
char lowerChar(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), lowerChar);
  return out;
}

// A name of at least one label with no empty label and no '*' (RFC 6125 section 6.4.3 lets a
// client refuse partial wildcards like "w*.example.org"; we never select by one).
bool isName(std::string_view name) noexcept {
  if (name.empty() || name.front() == '.' || name.back() == '.') return false;
  return name.find("..") == std::string_view::npos && name.find('*') == std::string_view::npos;
}

}  // namespace

bool ServerNames::sameName(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return lowerChar(x) == lowerChar(y);
         });
}

ServerNames::Added ServerNames::add(std::string_view pattern, std::size_t index) {
  const bool wildcard = pattern.starts_with("*.");
  std::string_view name = wildcard ? pattern.substr(2) : pattern;
  if (!isName(name)) return {Outcome::Unusable, index};
  auto [it, inserted] = (wildcard ? wildcard_ : exact_).emplace(lower(name), index);
  // A certificate that lists a name twice ("a.test" and "A.test") takes nothing from another.
  return {inserted || it->second == index ? Outcome::Added : Outcome::Taken, it->second};
}

std::optional<std::size_t> ServerNames::find(std::string_view name) const noexcept {
  if (name.size() > kMaxName || !isName(name)) return std::nullopt;
  std::array<char, kMaxName> buf{};
  std::transform(name.begin(), name.end(), buf.begin(), lowerChar);
  const std::string_view key(buf.data(), name.size());
  if (auto it = exact_.find(key); it != exact_.end()) return it->second;
  // The wildcard stands for the first label, which must not be empty (isName).
  const std::size_t dot = key.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  if (auto it = wildcard_.find(key.substr(dot + 1)); it != wildcard_.end()) return it->second;
  return std::nullopt;
}

}  // namespace learnhttpd::tls
