// SPDX-License-Identifier: MIT
#pragma once
// Byte-range requests (RFC 9110 section 14), for one range per request. Pure functions.

#include <cstdint>
#include <ctime>
#include <string_view>

namespace learnhttpd::http {

enum class RangeKind {
  Ignore,         // no Range, a malformed one, another unit, or several ranges: send it all (200)
  Satisfiable,    // send bytes first..last (206)
  Unsatisfiable,  // no requested byte exists (416 with "Content-Range: bytes */size")
};

struct RangeDecision {
  RangeKind kind = RangeKind::Ignore;
  std::uint64_t first = 0;  // inclusive, valid when Satisfiable
  std::uint64_t last = 0;   // inclusive, valid when Satisfiable
};

// Evaluates a Range field value ("bytes=0-99", "bytes=100-", "bytes=-500") against a file of
// `size` bytes. Multiple ranges are answered whole (a server may ignore Range, section 14.2),
// which spares multipart/byteranges bodies.
RangeDecision evaluateRange(std::string_view range, std::uint64_t size) noexcept;

// If-Range (section 13.1.5): the Range applies only when the validator still matches: an
// entity tag equal to `etag` (strong comparison: a weak tag never matches) or an HTTP-date
// equal to Last-Modified. Empty -> true.
bool ifRangeMatches(std::string_view if_range, std::time_t mtime, std::string_view etag) noexcept;

}  // namespace learnhttpd::http
