// SPDX-License-Identifier: MIT
#pragma once
// Accept-Encoding (RFC 9110 section 12.5.3) and the choice of a pre-compressed representation.
// Pure: no I/O, no allocation.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "http/request.hpp"

namespace learnhttpd::http {

// The content codings the server can send from a sidecar file, in preference order among equal
// q-values (smallest output first).
enum class ContentCoding : std::uint8_t { Br, Zstd, Gzip };
inline constexpr std::size_t kContentCodings = 3;
inline constexpr std::array<ContentCoding, kContentCodings> kCodingPreference = {
    ContentCoding::Br, ContentCoding::Zstd, ContentCoding::Gzip};

// The Content-Encoding value ("br", "zstd", "gzip").
std::string_view codingName(ContentCoding coding) noexcept;
// The sidecar file's suffix (".br", ".zst", ".gz").
std::string_view codingSuffix(ContentCoding coding) noexcept;

// What a request's Accept-Encoding lines allow: a weight in thousandths (0..1000) per coding
// and for identity. A coding the field does not name gets the weight of "*", or 0; identity
// not named (and no "*") stays acceptable with the lowest weight, 1 (section 12.5.3).
// An element whose q-value is malformed is ignored, as if it was not sent.
struct AcceptedCodings {
  std::array<std::uint16_t, kContentCodings> weight{};  // indexed by ContentCoding
  std::uint16_t identity = 1;

  std::uint16_t of(ContentCoding coding) const noexcept {
    return weight[static_cast<std::size_t>(coding)];
  }
};

// Parses every Accept-Encoding line as one comma-joined list. No lines: nothing but identity.
AcceptedCodings parseAcceptEncoding(const FieldLines& accept_encoding) noexcept;

// Whether `coding` may be sent instead of identity: its weight is above 0 and not below
// identity's (among equal weights the coding wins: it is why it is offered).
bool acceptsCoding(const AcceptedCodings& accepted, ContentCoding coding) noexcept;

// Codings worth trying, best first: weight above 0 and not below identity's, ordered by weight,
// then by kCodingPreference. `out` is filled from the front; returns how many.
std::size_t rankCodings(const AcceptedCodings& accepted,
                        std::array<ContentCoding, kContentCodings>& out) noexcept;

}  // namespace learnhttpd::http
