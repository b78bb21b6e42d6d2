// SPDX-License-Identifier: MIT
#include "http/accept_encoding.hpp"

#include <algorithm>

#include "http/char_class.hpp"

namespace learnhttpd::http {
namespace {

using detail::equalsLower;
using detail::trimOws;

constexpr std::uint16_t kMaxWeight = 1000;

constexpr bool isDigit(char c) noexcept {
  return c >= '0' && c <= '9';
}

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )   (RFC 9110 section 12.4.2)
std::optional<std::uint16_t> parseQvalue(std::string_view text) noexcept {
  if (text.empty() || (text[0] != '0' && text[0] != '1')) return std::nullopt;
  const bool one = text[0] == '1';
  if (text.size() == 1) return one ? kMaxWeight : 0;
  if (text[1] != '.' || text.size() > 5) return std::nullopt;
  std::uint16_t weight = 0;
  std::uint16_t scale = 100;
  for (char c : text.substr(2)) {
    if (!isDigit(c) || (one && c != '0')) return std::nullopt;
    weight = static_cast<std::uint16_t>(weight + (c - '0') * scale);
    scale = static_cast<std::uint16_t>(scale / 10);
  }
  return one ? kMaxWeight : weight;
}

// The weight of one list element's parameters ("; q=0.5"); nullopt when malformed. Parameters
// other than q are not defined for Accept-Encoding and are skipped.
std::optional<std::uint16_t> elementWeight(std::string_view params) noexcept {
  std::uint16_t weight = kMaxWeight;
  while (!params.empty()) {
    const std::size_t semi = params.find(';', 1);
    std::string_view param = trimOws(
        params.substr(1, semi == std::string_view::npos ? std::string_view::npos : semi - 1));
    params = semi == std::string_view::npos ? std::string_view{} : params.substr(semi);
    const std::size_t eq = param.find('=');
    if (eq == std::string_view::npos) continue;
    if (!equalsLower(trimOws(param.substr(0, eq)), "q")) continue;
    const std::optional<std::uint16_t> q = parseQvalue(trimOws(param.substr(eq + 1)));
    if (!q) return std::nullopt;
    weight = *q;
  }
  return weight;
}

struct Tally {
  AcceptedCodings accepted;
  std::array<bool, kContentCodings> named{};
  bool identity_named = false;
  std::optional<std::uint16_t> any;  // "*"
};

void applyElement(std::string_view element, Tally& tally) noexcept {
  element = trimOws(element);
  const std::size_t semi = element.find(';');
  const std::string_view name = trimOws(element.substr(0, semi));
  if (name.empty()) return;  // "a,,b": empty elements are allowed and mean nothing
  const std::optional<std::uint16_t> weight =
      elementWeight(semi == std::string_view::npos ? std::string_view{} : element.substr(semi));
  if (!weight) return;
  if (name == "*") {
    if (!tally.any) tally.any = weight;
    return;
  }
  if (equalsLower(name, "identity")) {
    if (!tally.identity_named) tally.accepted.identity = *weight;
    tally.identity_named = true;
    return;
  }
  std::optional<ContentCoding> coding;
  if (equalsLower(name, "br")) coding = ContentCoding::Br;
  if (equalsLower(name, "zstd")) coding = ContentCoding::Zstd;
  // RFC 9110 section 8.4.1.3: x-gzip is an alias of gzip.
  if (equalsLower(name, "gzip") || equalsLower(name, "x-gzip")) coding = ContentCoding::Gzip;
  if (!coding) return;
  const auto i = static_cast<std::size_t>(*coding);
  if (tally.named[i]) return;  // the first mention decides
  tally.named[i] = true;
  tally.accepted.weight[i] = *weight;
}

}  // namespace

std::string_view codingName(ContentCoding coding) noexcept {
  switch (coding) {
    case ContentCoding::Br:
      return "br";
    case ContentCoding::Zstd:
      return "zstd";
    case ContentCoding::Gzip:
      return "gzip";
  }
  return "gzip";
}

std::string_view codingSuffix(ContentCoding coding) noexcept {
  switch (coding) {
    case ContentCoding::Br:
      return ".br";
    case ContentCoding::Zstd:
      return ".zst";
    case ContentCoding::Gzip:
      return ".gz";
  }
  return ".gz";
}

AcceptedCodings parseAcceptEncoding(const FieldLines& accept_encoding) noexcept {
  Tally tally;
  for (std::size_t line = 0; line < accept_encoding.count; ++line) {
    std::string_view rest = accept_encoding.lines[line];
    while (!rest.empty()) {
      const std::size_t comma = rest.find(',');
      applyElement(rest.substr(0, comma), tally);
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
  }
  if (tally.any) {
    // "*" matches every coding not named, identity included (section 12.5.3).
    for (std::size_t i = 0; i < kContentCodings; ++i) {
      if (!tally.named[i]) tally.accepted.weight[i] = *tally.any;
    }
    if (!tally.identity_named) tally.accepted.identity = *tally.any;
  }
  return tally.accepted;
}

bool acceptsCoding(const AcceptedCodings& accepted, ContentCoding coding) noexcept {
  const std::uint16_t weight = accepted.of(coding);
  return weight > 0 && weight >= accepted.identity;
}

std::size_t rankCodings(const AcceptedCodings& accepted,
                        std::array<ContentCoding, kContentCodings>& out) noexcept {
  std::size_t n = 0;
  for (ContentCoding coding : kCodingPreference) {
    // A client refusing identity ("identity;q=0") with no acceptable sidecar still gets the
    // file as it is: a 406 would help nobody on a static site.
    if (acceptsCoding(accepted, coding)) out[n++] = coding;
  }
  // Stable: among equal weights kCodingPreference's order stays.
  std::stable_sort(
      out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n),
      [&](ContentCoding a, ContentCoding b) { return accepted.of(a) > accepted.of(b); });
  return n;
}

}  // namespace learnhttpd::http
