// SPDX-License-Identifier: MIT
#include "http/http_date.hpp"

#include <algorithm>
#include <array>

namespace learnhttpd::http {
namespace {

constexpr std::array<std::string_view, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 7> kLongDays = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                       "Thursday", "Friday", "Saturday"};
constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// IMF-fixdate has a four-digit year: clamp to 1970-01-01 .. 9999-12-31 23:59:59.
constexpr std::time_t kLastFormattable = 253402300799;

char* putDigits(char* out, int value, int width) noexcept {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return out + width;
}

char* putText(char* out, std::string_view text) noexcept {
  return std::copy(text.begin(), text.end(), out);
}

// Reads the fixed-layout date forms field by field; any mismatch latches `ok` to false.
class DateReader {
 public:
  explicit DateReader(std::string_view text) noexcept : text_(text) {}

  void literal(std::string_view lit) noexcept {
    ok_ = ok_ && rest().substr(0, lit.size()) == lit;
    pos_ += lit.size();
  }
  int number(std::size_t width, bool leading_space = false) noexcept {
    int value = 0;
    for (std::size_t i = 0; i < width; ++i) {
      const char c = at(pos_ + i);
      if (leading_space && i == 0 && c == ' ' && width > 1) continue;
      ok_ = ok_ && c >= '0' && c <= '9';
      value = value * 10 + (c - '0');
    }
    pos_ += width;
    return value;
  }
  template <std::size_t N>
  int name(const std::array<std::string_view, N>& names) noexcept {
    for (std::size_t i = 0; i < N; ++i) {
      if (rest().substr(0, names[i].size()) == names[i]) {
        pos_ += names[i].size();
        return static_cast<int>(i);
      }
    }
    ok_ = false;
    return 0;
  }
  bool done() const noexcept { return ok_ && pos_ == text_.size(); }

 private:
  char at(std::size_t i) const noexcept { return i < text_.size() ? text_[i] : '\0'; }
  // Fields advance pos_ by their full width even on a mismatch, so it may pass the end.
  std::string_view rest() const noexcept {
    return pos_ < text_.size() ? text_.substr(pos_) : std::string_view{};
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

struct Fields {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
};

void readTime(DateReader& r, Fields& f) noexcept {
  f.hour = r.number(2);
  r.literal(":");
  f.minute = r.number(2);
  r.literal(":");
  f.second = r.number(2);
}

// "Sun, 06 Nov 1994 08:49:37 GMT"
bool readImfFixdate(std::string_view text, Fields& f) noexcept {
  DateReader r(text);
  r.name(kDays);
  r.literal(", ");
  f.day = r.number(2);
  r.literal(" ");
  f.month = r.name(kMonths);
  r.literal(" ");
  f.year = r.number(4);
  r.literal(" ");
  readTime(r, f);
  r.literal(" GMT");
  return r.done();
}

// "Sunday, 06-Nov-94 08:49:37 GMT"
bool readRfc850(std::string_view text, Fields& f) noexcept {
  DateReader r(text);
  r.name(kLongDays);
  r.literal(", ");
  f.day = r.number(2);
  r.literal("-");
  f.month = r.name(kMonths);
  r.literal("-");
  const int yy = r.number(2);
  // Two-digit years: a fixed pivot instead of RFC 9110's "50 years from now" rule keeps the
  // function pure; dates this old only matter for If-Modified-Since, where either reading works.
  f.year = yy < 70 ? 2000 + yy : 1900 + yy;
  r.literal(" ");
  readTime(r, f);
  r.literal(" GMT");
  return r.done();
}

// "Sun Nov  6 08:49:37 1994"
bool readAsctime(std::string_view text, Fields& f) noexcept {
  DateReader r(text);
  r.name(kDays);
  r.literal(" ");
  f.month = r.name(kMonths);
  r.literal(" ");
  f.day = r.number(2, /*leading_space=*/true);
  r.literal(" ");
  readTime(r, f);
  r.literal(" ");
  f.year = r.number(4);
  return r.done();
}

std::optional<std::time_t> toTime(const Fields& f) noexcept {
  if (f.day < 1 || f.day > 31 || f.hour > 23 || f.minute > 59 || f.second > 60) return std::nullopt;
  std::tm tm{};
  tm.tm_year = f.year - 1900;
  tm.tm_mon = f.month;
  tm.tm_mday = f.day;
  tm.tm_hour = f.hour;
  tm.tm_min = f.minute;
  tm.tm_sec = f.second;
  const std::time_t t = timegm(&tm);
  // timegm normalises "Feb 30" into March; a changed day means the date did not exist.
  if (t == -1 || tm.tm_mday != f.day || tm.tm_mon != f.month) return std::nullopt;
  return t;
}

}  // namespace

void formatHttpDate(std::time_t t, char* out) noexcept {
  std::tm tm{};
  t = std::clamp<std::time_t>(t, 0, kLastFormattable);
  gmtime_r(&t, &tm);
  // Built from tables rather than strftime, whose day and month names follow the C locale.
  char* p = putText(out, kDays[static_cast<std::size_t>(tm.tm_wday)]);
  p = putText(p, ", ");
  p = putDigits(p, tm.tm_mday, 2);
  *p++ = ' ';
  p = putText(p, kMonths[static_cast<std::size_t>(tm.tm_mon)]);
  *p++ = ' ';
  p = putDigits(p, tm.tm_year + 1900, 4);
  *p++ = ' ';
  p = putDigits(p, tm.tm_hour, 2);
  *p++ = ':';
  p = putDigits(p, tm.tm_min, 2);
  *p++ = ':';
  p = putDigits(p, tm.tm_sec, 2);
  putText(p, " GMT");
}

std::optional<std::time_t> parseHttpDate(std::string_view text) noexcept {
  // RFC 9110 section 5.6.7: recipients accept all three forms; senders use only IMF-fixdate.
  if (text.empty()) return std::nullopt;  // the usual case: no such field
  Fields f;
  if (readImfFixdate(text, f) || readRfc850(text, f) || readAsctime(text, f)) return toTime(f);
  return std::nullopt;
}

std::string_view DateCache::get(std::time_t now) noexcept {
  if (now != cached_) {
    formatHttpDate(now, text_);
    cached_ = now;
  }
  return {text_, kHttpDateLength};
}

std::string_view currentDate(std::time_t now) noexcept {
  thread_local DateCache cache;
  return cache.get(now);
}

}  // namespace learnhttpd::http
