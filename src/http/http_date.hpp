// SPDX-License-Identifier: MIT
#pragma once
// IMF-fixdate formatting and parsing (RFC 9110 section 5.6.7), e.g.
// "Sun, 06 Nov 1994 08:49:37 GMT". Pure functions.

#include <ctime>
#include <optional>
#include <string_view>

namespace learnhttpd::http {

inline constexpr std::size_t kHttpDateLength = 29;

// Writes exactly kHttpDateLength characters (no NUL) for `t` (UTC) into `out`.
void formatHttpDate(std::time_t t, char* out) noexcept;

// Parses IMF-fixdate (and the obsolete RFC 850 / asctime forms); nullopt when invalid.
std::optional<std::time_t> parseHttpDate(std::string_view text) noexcept;

// Caches the formatted current date; refresh() recomputes only when the second changed.
// Not thread-safe: one per event loop / thread.
class DateCache {
 public:
  std::string_view get(std::time_t now) noexcept;

 private:
  std::time_t cached_ = -1;
  char text_[kHttpDateLength] = {};
};

// The Date of an answer made at `now`, from the calling thread's own DateCache (every protocol
// session and every thread of a pool asks this).
std::string_view currentDate(std::time_t now) noexcept;

}  // namespace learnhttpd::http
