// SPDX-License-Identifier: MIT
#pragma once
// Properties of target decoding and byte ranges that must hold for ANY input. Shared by the
// libFuzzer targets fuzz_target_decode and fuzz_range and by lh_fuzz_corpus_tests, which
// replays their regression corpora on any compiler.

#include <cstdint>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>

#include "http/range.hpp"
#include "http/target.hpp"
#include "parser_invariants.hpp"

namespace learnhttpd::fuzz {

// Everything checkDecodedPath() demands, and: a decoded path free of '%', '?' and '#' decodes
// to itself (decoding is a normal form, so nothing can be smuggled through a second pass).
inline const char* checkTarget(std::string_view target) {
  if (const char* e = checkDecodedPath(target)) return e;
  std::string out;
  if (!http::decodeTarget(target, out).ok) return nullptr;
  if (out.find_first_of("%?#") != std::string::npos) return nullptr;
  std::string again;
  if (!http::decodeTarget(out, again).ok) return "a decoded path is not a valid target";
  if (again != out) return "decoding a decoded path changed it";
  return nullptr;
}

// A satisfiable range lies inside the file, and written back as "bytes=first-last" it gives
// the same decision.
inline const char* checkRange(std::string_view range, std::uint64_t size) {
  const http::RangeDecision d = http::evaluateRange(range, size);
  if (d.kind == http::RangeKind::Satisfiable) {
    if (d.first > d.last || d.last >= size) return "satisfiable range outside the file";
    const std::string canonical = "bytes=" + std::to_string(d.first) + "-" + std::to_string(d.last);
    const http::RangeDecision again = http::evaluateRange(canonical, size);
    if (again.kind != d.kind || again.first != d.first || again.last != d.last) {
      return "the canonical form of a range decides differently";
    }
  }
  return nullptr;
}

// The fuzzers' view: 8 bytes of file size (bounded to 2^40 so both small and huge files come
// up), then the field value; the same value is also tried as If-Range.
inline const char* checkRangeBytes(std::string_view data) {
  std::uint64_t size = 0;
  if (data.size() >= sizeof size) {
    std::memcpy(&size, data.data(), sizeof size);
    data.remove_prefix(sizeof size);
  }
  size &= (std::uint64_t{1} << 40) - 1;
  if (size % 3 == 0) size %= 4096;  // often a small file, where the edge cases are
  if (const char* e = checkRange(data, size)) return e;
  if (!http::ifRangeMatches("", 0, "\"x\"")) return "an empty If-Range must match";
  (void)http::ifRangeMatches(data, static_cast<std::time_t>(size), data);
  return nullptr;
}

}  // namespace learnhttpd::fuzz
