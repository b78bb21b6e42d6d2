// SPDX-License-Identifier: MIT
#pragma once
// The values a setting can take, parsed from text: shared by the YAML loader and the command
// line (cli.cpp) so that both read a duration, a size or an address alike. Pure; each throws
// std::invalid_argument or returns nullopt as it says.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "config/config.hpp"

namespace learnhttpd::config {

// "75s", "500ms", "2m", "1h", "30" (seconds) -> milliseconds; throws std::invalid_argument.
Duration parseDuration(std::string_view text);
// "16384", "16k", "1m", "1g" (binary multiples) -> bytes; throws std::invalid_argument.
std::size_t parseSize(std::string_view text);
// "0.0.0.0:8080", "127.0.0.1:0", "[::1]:8080", "8080" (all IPv4 addresses), "[::]:80";
// "*:80" and "localhost:80" mean 0.0.0.0 and 127.0.0.1; an IPv6 host needs its brackets. The
// host is returned normalised (inet_ntop form). Throws std::invalid_argument.
ListenAddress parseListenAddress(std::string_view text);
// Plain decimal digits only (no sign, no 0x, no spaces; "08" is 8) -> the value, or nullopt when
// `text` is not such a number or is above `max`. Shared by the file and the CLI so both read
// numbers alike.
std::optional<std::uint64_t> parseUnsigned(std::string_view text, std::uint64_t max);
// "8" -> {0, 8} (a fixed pool) or "4..64" -> {4, 64} (grow and shrink), each 1-1024 and
// MIN <= MAX; nullopt otherwise. The file's `threads` and the CLI's --threads.
std::optional<std::pair<unsigned, unsigned>> parseThreads(std::string_view text);
// A host alone, as -b accepts it: "127.0.0.1", "::1" or "[::1]", "*" (0.0.0.0), "localhost"
// (127.0.0.1) -> the normalised literal ListenAddress::host holds. Throws std::invalid_argument.
std::string parseListenHost(std::string_view text);

}  // namespace learnhttpd::config
