// SPDX-License-Identifier: MIT
#include "serve/host_names.hpp"

#include <algorithm>
#include <array>

namespace learnhttpd::serve {
namespace {

char lowerChar(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool sameIgnoringCase(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return lowerChar(x) == lowerChar(y);
         });
}

}  // namespace

std::string_view normalHost(std::string_view authority,
                            std::span<char, HostNames::kMaxHost> buf) noexcept {
  std::string_view host = authority;
  if (host.starts_with('[')) {
    // An IP literal: its port follows the closing bracket (http::isValidHost checked the shape).
    host = host.substr(0, host.find(']') + 1);
  } else if (std::size_t colon = host.find(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);  // a reg-name holds no colon: the first starts the port
  }
  if (host.ends_with('.')) host.remove_suffix(1);
  if (host.empty() || host.size() > buf.size()) return {};
  std::transform(host.begin(), host.end(), buf.begin(), lowerChar);
  return {buf.data(), host.size()};
}

bool HostNames::add(std::string_view pattern, std::size_t site) {
  const bool wildcard = pattern.starts_with("*.");
  return (wildcard ? wildcard_ : exact_)
      .emplace(std::string(wildcard ? pattern.substr(2) : pattern), site)
      .second;
}

std::optional<std::size_t> HostNames::find(std::string_view authority) const noexcept {
  std::array<char, kMaxHost> buf{};
  const std::string_view host = normalHost(authority, buf);
  if (host.empty()) return std::nullopt;
  if (auto it = exact_.find(host); it != exact_.end()) return it->second;
  // The wildcard stands for the first label, which must not be empty.
  const std::size_t dot = host.find('.');
  if (dot == 0 || dot == std::string_view::npos || wildcard_.empty()) return std::nullopt;
  if (auto it = wildcard_.find(host.substr(dot + 1)); it != wildcard_.end()) return it->second;
  return std::nullopt;
}

bool namesCover(std::span<const std::string> patterns, std::string_view authority) noexcept {
  std::array<char, HostNames::kMaxHost> buf{};
  const std::string_view host = normalHost(authority, buf);
  if (host.empty()) return false;
  const std::size_t dot = host.find('.');
  for (const std::string& pattern : patterns) {
    if (pattern.starts_with("*.")) {
      if (dot != 0 && dot != std::string_view::npos &&
          sameIgnoringCase(std::string_view(pattern).substr(2), host.substr(dot + 1))) {
        return true;
      }
    } else if (sameIgnoringCase(pattern, host)) {
      return true;
    }
  }
  return false;
}

}  // namespace learnhttpd::serve
