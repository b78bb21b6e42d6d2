// SPDX-License-Identifier: MIT
#include "http/range.hpp"

#include <charconv>
#include <optional>

#include "http/char_class.hpp"
#include "http/http_date.hpp"

namespace learnhttpd::http {
namespace {

using detail::equalsLower;
using detail::trimOws;

std::optional<std::uint64_t> digits(std::string_view s) noexcept {
  if (s.empty()) return std::nullopt;
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (error != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return value;
}

}  // namespace

RangeDecision evaluateRange(std::string_view range, std::uint64_t size) noexcept {
  std::size_t eq = range.find('=');
  if (eq == std::string_view::npos || !equalsLower(trimOws(range.substr(0, eq)), "bytes")) {
    return {};
  }
  std::string_view spec = trimOws(range.substr(eq + 1));
  if (spec.find(',') != std::string_view::npos) return {};
  std::size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return {};
  std::string_view first_text = trimOws(spec.substr(0, dash));
  std::string_view last_text = trimOws(spec.substr(dash + 1));
  if (first_text.empty()) {  // suffix range: the last N bytes
    auto suffix = digits(last_text);
    if (!suffix) return {};
    if (*suffix == 0 || size == 0) return {RangeKind::Unsatisfiable};
    std::uint64_t n = *suffix < size ? *suffix : size;
    return {RangeKind::Satisfiable, size - n, size - 1};
  }
  auto first = digits(first_text);
  if (!first) return {};
  std::optional<std::uint64_t> last = size == 0 ? 0 : size - 1;
  if (!last_text.empty()) {
    last = digits(last_text);
    if (!last || *last < *first) return {};  // syntactically invalid: ignore the field
  }
  if (*first >= size) return {RangeKind::Unsatisfiable};
  return {RangeKind::Satisfiable, *first, *last < size ? *last : size - 1};
}

bool ifRangeMatches(std::string_view if_range, std::time_t mtime, std::string_view etag) noexcept {
  if_range = trimOws(if_range);
  if (if_range.empty()) return true;
  if (if_range.front() == '"') return if_range == etag;
  auto date = parseHttpDate(if_range);  // W/"..." fails to parse: weak tags never match
  return date && *date == mtime;
}

}  // namespace learnhttpd::http
