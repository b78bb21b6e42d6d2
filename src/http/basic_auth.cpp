// SPDX-License-Identifier: MIT
#include "http/basic_auth.hpp"

#include <array>

#include "http/char_class.hpp"

namespace learnhttpd::http {
namespace {

// The base64 alphabet's values, 0xFF for every other byte.
constexpr std::array<unsigned char, 256> kValues = [] {
  std::array<unsigned char, 256> values{};
  values.fill(0xFF);
  constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
    values[static_cast<unsigned char>(kAlphabet[i])] = static_cast<unsigned char>(i);
  }
  return values;
}();

std::optional<std::string> decodeBase64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) return std::nullopt;
  std::size_t padding = 0;
  if (text.back() == '=') ++padding;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    std::uint32_t group = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      const char c = text[i + j];
      unsigned char value = 0;
      if (c == '=') {
        if (!last || j < 4 - padding) return std::nullopt;  // '=' only at the very end
      } else {
        value = kValues[static_cast<unsigned char>(c)];
        if (value == 0xFF) return std::nullopt;
      }
      group = (group << 6) | value;
    }
    const std::size_t bytes = last ? 3 - padding : 3;
    // Canonical encoding only: the bits the padding hides must be zero.
    if (last && padding > 0 && (group & ((1U << (8 * padding)) - 1)) != 0) return std::nullopt;
    for (std::size_t k = 0; k < bytes; ++k) {
      out.push_back(static_cast<char>((group >> (16 - 8 * k)) & 0xFF));
    }
  }
  return out;
}

bool hasControl(std::string_view text) {
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) return true;
  }
  return false;
}

}  // namespace

std::optional<BasicCredentials> parseBasicCredentials(std::string_view authorization) {
  if (authorization.size() > kMaxAuthorization) return std::nullopt;
  constexpr std::string_view kScheme = "basic ";
  if (authorization.size() <= kScheme.size() ||
      !detail::equalsLower(authorization.substr(0, kScheme.size()), kScheme)) {
    return std::nullopt;
  }
  std::string_view token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  std::optional<std::string> decoded = decodeBase64(token);
  if (!decoded) return std::nullopt;
  const std::size_t colon = decoded->find(':');
  if (colon == std::string::npos || hasControl(*decoded)) return std::nullopt;
  return BasicCredentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

std::string basicChallenge(std::string_view realm) {
  std::string field = "WWW-Authenticate: Basic realm=\"";
  field.append(realm);
  field.append("\", charset=\"UTF-8\"\r\n");
  return field;
}

}  // namespace learnhttpd::http
