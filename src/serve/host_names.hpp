// SPDX-License-Identifier: MIT
#pragma once
// HostNames: which site the host of a request names. A site is known by its names (config
// sites.names): exact names, or "*.example.org", which stands for exactly one label
// ("a.example.org", not "example.org" nor "a.b.example.org"); an exact name wins over a
// wildcard. A request's authority is compared without its port and final dot, ignoring ASCII
// case (RFC 9110 section 4.2.3: the host is case-insensitive; "example.org." is the same name).
// Pure: no I/O, and find() allocates nothing (it runs once per request).
//
// Threads: built by one thread; find() is const and may then be called from any thread.

#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

namespace learnhttpd::serve {

class HostNames {
 public:
  // Makes `pattern` (lower case, checked by the loader) select `site`. False when a pattern
  // already selects a site (the loader refuses a name twice, so this is the caller's mistake).
  bool add(std::string_view pattern, std::size_t site);
  // The site the host of `authority` ("Example.ORG:8080", "example.org.", "[::1]:80") selects,
  // or nullopt: no site has the name, or it is no name at all (an IP literal, too long).
  std::optional<std::size_t> find(std::string_view authority) const noexcept;
  bool empty() const noexcept { return exact_.empty() && wildcard_.empty(); }

  // The longest host looked up: a DNS name's 253 characters, with room for a final dot.
  static constexpr std::size_t kMaxHost = 255;

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept {
      return std::hash<std::string_view>{}(text);
    }
  };
  using Table = std::unordered_map<std::string, std::size_t, Hash, std::equal_to<>>;
  Table exact_;
  Table wildcard_;  // the part after "*."
};

// The host part of `authority` without port or final dot, in lower case, written into `buf`;
// empty when there is none or it does not fit (an IPv6 literal keeps its brackets).
std::string_view normalHost(std::string_view authority,
                            std::span<char, HostNames::kMaxHost> buf) noexcept;

// True when one of `patterns` (a certificate's DNS names: exact, or "*." for one label;
// compared ignoring ASCII case) covers the host of `authority` (RFC 6125 section 6.4).
bool namesCover(std::span<const std::string> patterns, std::string_view authority) noexcept;

}  // namespace learnhttpd::serve
