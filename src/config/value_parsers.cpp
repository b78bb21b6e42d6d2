// SPDX-License-Identifier: MIT
// The scalar syntaxes of the config file and the CLI: durations, sizes, listen addresses.
// No YAML here, so that -b/-p and the file agree on what an address is.

#include <arpa/inet.h>
#include <netinet/in.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

#include "config/value_parsers.hpp"

namespace learnhttpd::config {
namespace {

[[noreturn]] void invalid(std::string_view what, std::string_view text) {
  throw std::invalid_argument(std::string(what) + ": '" + std::string(text) + "'");
}

std::uint64_t parseDigits(std::string_view digits, std::string_view what, std::string_view text) {
  const auto value = parseUnsigned(digits, std::numeric_limits<std::uint64_t>::max());
  if (!value) {
    invalid(what, text);
  }
  return *value;
}

std::uint64_t multiplyChecked(std::uint64_t value, std::uint64_t factor, std::uint64_t limit,
                              std::string_view what, std::string_view text) {
  if (value > limit / factor) {
    invalid(what, text);
  }
  return value * factor;
}

std::uint16_t parsePort(std::string_view digits, std::string_view text) {
  const auto port = parseUnsigned(digits, std::numeric_limits<std::uint16_t>::max());
  if (!port) {
    invalid("expected a port number 0-65535", text);
  }
  return static_cast<std::uint16_t>(*port);
}

// Binary multiples, as for buffer sizes everywhere in the system (1k = 1024).
std::uint64_t sizeFactor(char suffix) {
  switch (suffix) {
    case 'k':
    case 'K':
      return std::uint64_t{1} << 10;
    case 'm':
    case 'M':
      return std::uint64_t{1} << 20;
    case 'g':
    case 'G':
      return std::uint64_t{1} << 30;
    default:
      return 1;
  }
}

// Normalises through inet_ntop so that "[::0:1]" and "[::1]" count as the same address.
std::string numericHost(int family, std::string_view host, std::string_view text) {
  const std::string copy(host);
  std::array<unsigned char, sizeof(in6_addr)> binary{};
  if (copy.empty() || inet_pton(family, copy.c_str(), binary.data()) != 1) {
    invalid("not an IP address", text);
  }
  std::array<char, INET6_ADDRSTRLEN> printed{};
  if (inet_ntop(family, binary.data(), printed.data(), printed.size()) == nullptr) {
    invalid("not an IP address", text);
  }
  return std::string(printed.data());
}

// An unbracketed host of "HOST:PORT": IPv4, '*' or 'localhost'. IPv6 needs brackets there,
// since its colons would make the port ambiguous.
std::string unbracketedHost(std::string_view host, std::string_view text) {
  if (host == "*") {
    return "0.0.0.0";
  }
  if (host == "localhost") {
    return "127.0.0.1";
  }
  if (host.find(':') != std::string_view::npos) {
    invalid("IPv6 addresses need brackets, like [::1]:8080", text);
  }
  return numericHost(AF_INET, host, text);
}

}  // namespace

std::optional<std::uint64_t> parseUnsigned(std::string_view text, std::uint64_t max) {
  // Digits only: from_chars would not stop at a '-' for signed types, and yaml-cpp's own
  // conversion reads 0x.. and leading-zero octal, neither of which a config author means.
  if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value > max) {
    return std::nullopt;
  }
  return value;
}

std::optional<std::pair<unsigned, unsigned>> parseThreads(std::string_view text) {
  constexpr std::uint64_t kMax = 1024;
  const std::size_t dots = text.find("..");
  if (dots == std::string_view::npos) {
    const auto count = parseUnsigned(text, kMax);
    if (!count || *count == 0) {
      return std::nullopt;
    }
    return std::pair{0U, static_cast<unsigned>(*count)};
  }
  const auto low = parseUnsigned(text.substr(0, dots), kMax);
  const auto high = parseUnsigned(text.substr(dots + 2), kMax);
  if (!low || !high || *low == 0 || *low > *high) {
    return std::nullopt;
  }
  return std::pair{static_cast<unsigned>(*low), static_cast<unsigned>(*high)};
}

Duration parseDuration(std::string_view text) {
  constexpr std::string_view kWhat = "not a duration like 75s or 500ms";
  const std::size_t unit_at = text.find_first_not_of("0123456789");
  const std::string_view unit = unit_at == std::string_view::npos ? "" : text.substr(unit_at);
  std::uint64_t factor = 0;
  if (unit == "ms") {
    factor = 1;
  } else if (unit.empty() || unit == "s") {
    factor = 1000;
  } else if (unit == "m") {
    factor = 60'000;
  } else if (unit == "h") {
    factor = 3'600'000;
  } else {
    invalid(kWhat, text);
  }
  const std::uint64_t count = parseDigits(text.substr(0, unit_at), kWhat, text);
  const auto limit = static_cast<std::uint64_t>(std::numeric_limits<Duration::rep>::max());
  return Duration(static_cast<Duration::rep>(multiplyChecked(count, factor, limit, kWhat, text)));
}

std::size_t parseSize(std::string_view text) {
  constexpr std::string_view kWhat = "not a size like 16384, 16k or 1m";
  const std::uint64_t factor = text.empty() ? 1 : sizeFactor(text.back());
  const std::string_view digits = factor == 1 ? text : text.substr(0, text.size() - 1);
  const std::uint64_t count = parseDigits(digits, kWhat, text);
  return static_cast<std::size_t>(
      multiplyChecked(count, factor, std::numeric_limits<std::size_t>::max(), kWhat, text));
}

ListenAddress parseListenAddress(std::string_view text) {
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos) {
    return ListenAddress{"0.0.0.0", parsePort(text, text)};
  }
  if (text.starts_with('[')) {
    const std::size_t close = text.find("]:");
    if (close == std::string_view::npos) {
      invalid("expected [IPv6]:PORT", text);
    }
    return ListenAddress{numericHost(AF_INET6, text.substr(1, close - 1), text),
                         parsePort(text.substr(close + 2), text)};
  }
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    invalid("expected HOST:PORT or PORT", text);
  }
  return ListenAddress{unbracketedHost(text.substr(0, colon), text),
                       parsePort(text.substr(colon + 1), text)};
}

std::string parseListenHost(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    return numericHost(AF_INET6, text.substr(1, text.size() - 2), text);
  }
  if (text.find(':') != std::string_view::npos) {
    return numericHost(AF_INET6, text, text);
  }
  return unbracketedHost(text, text);
}

}  // namespace learnhttpd::config
