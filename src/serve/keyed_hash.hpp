// SPDX-License-Identifier: MIT
#pragma once
// HMAC-SHA-256 (RFC 2104, FIPS 180-4), for what the answer layer keeps about a secret without
// keeping the secret: a credential verified moments ago is remembered by its keyed hash under
// a key drawn per worker, never by the password. SHA-256 and the constant-time compare are
// OpenSSL's (this file's row in the include-arrow table); checked against published test
// vectors in tests/unit/serve. Pure.

#include <array>
#include <cstdint>
#include <string_view>

namespace learnhttpd::serve {

using Digest = std::array<unsigned char, 32>;

Digest sha256(std::string_view data) noexcept;

class HmacSha256 {
 public:
  explicit HmacSha256(std::string_view key) noexcept;
  // The MAC of the concatenation of `parts` (with no separator: the caller adds one).
  Digest mac(std::initializer_list<std::string_view> parts) const noexcept;

 private:
  std::array<unsigned char, 64> inner_pad_{};
  std::array<unsigned char, 64> outer_pad_{};
};

// Equal bytes, in a time that depends on the lengths only, never on where they differ.
bool equalInConstantTime(std::string_view a, std::string_view b) noexcept;

}  // namespace learnhttpd::serve
