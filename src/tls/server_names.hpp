// SPDX-License-Identifier: MIT
#pragma once
// ServerNames: which certificate a TLS client's SNI name selects. Each certificate is known by
// the DNS names of its subjectAltName; a name matches exactly, ignoring ASCII case, or through a
// wildcard "*.example.org", which stands for exactly one label ("a.example.org", not
// "example.org" nor "a.b.example.org"). An exact name wins over a wildcard; between two
// certificates with the same name, the one added first. Pure (no OpenSSL, no I/O).
//
// Threads: built by one thread (the master, before fork); find() is const and may then be
// called from any thread.

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace learnhttpd::tls {

class ServerNames {
 public:
  enum class Outcome {
    Added,
    Taken,     // an earlier certificate (`holder`) has the same name, and keeps it
    Unusable,  // not a name a client can ask for ("", "*", "w*.example.org", "*.")
  };
  struct Added {
    Outcome outcome = Outcome::Added;
    std::size_t holder = 0;  // the certificate the name selects afterwards
  };
  // Makes `pattern` (a DNS name, or "*." and a name) select certificate `index`.
  Added add(std::string_view pattern, std::size_t index);
  // The certificate `name` selects, or nullopt. Allocates nothing (it runs in a handshake).
  std::optional<std::size_t> find(std::string_view name) const noexcept;

  // Two names (or patterns) compared as DNS names are: ignoring ASCII case.
  static bool sameName(std::string_view a, std::string_view b) noexcept;

  // The longest name looked up: a DNS name's 253 characters (RFC 1035), with room to spare;
  // OpenSSL refuses SNI names over 255 bytes.
  static constexpr std::size_t kMaxName = 255;

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept {
      return std::hash<std::string_view>{}(text);
    }
  };
  using Table = std::unordered_map<std::string, std::size_t, Hash, std::equal_to<>>;
  Table exact_;     // lower case
  Table wildcard_;  // lower case, the part after "*."
};

}  // namespace learnhttpd::tls
