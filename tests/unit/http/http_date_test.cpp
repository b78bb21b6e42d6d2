// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <clocale>
#include <string>

#include "http/conditional.hpp"
#include "http/http_date.hpp"

namespace learnhttpd::http {
namespace {

std::string format(std::time_t t) {
  std::string s(kHttpDateLength, '?');
  formatHttpDate(t, s.data());
  return s;
}

TEST(HttpDate, FormatsKnownInstants) {
  EXPECT_EQ(format(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(format(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(format(951782400), "Tue, 29 Feb 2000 00:00:00 GMT");
  EXPECT_EQ(format(1700000000), "Tue, 14 Nov 2023 22:13:20 GMT");
  EXPECT_EQ(format(2147483648), "Tue, 19 Jan 2038 03:14:08 GMT");
}

TEST(HttpDate, ClampsToTheFourDigitYearRange) {
  EXPECT_EQ(format(-5), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(format(253402300799 + 1000), "Fri, 31 Dec 9999 23:59:59 GMT");
}

TEST(HttpDate, ParsesAllThreeForms) {
  EXPECT_EQ(parseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
  EXPECT_EQ(parseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"), 784111777);
  EXPECT_EQ(parseHttpDate("Sun Nov  6 08:49:37 1994"), 784111777);
  EXPECT_EQ(parseHttpDate("Tue Feb 29 00:00:00 2000"), 951782400);
  EXPECT_EQ(parseHttpDate("Tuesday, 14-Nov-23 22:13:20 GMT"), 1700000000);
}

TEST(HttpDate, RoundTrips) {
  for (std::time_t t : {std::time_t{0}, std::time_t{784111777}, std::time_t{951782400},
                        std::time_t{1700000000}, std::time_t{4102444799}}) {
    EXPECT_EQ(parseHttpDate(format(t)), t) << format(t);
  }
}

TEST(HttpDate, RejectsMalformedDates) {
  for (const char* bad :
       {"", "garbage", "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 6 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT ", "Sun, 06 Xyz 1994 08:49:37 GMT",
        "Sun, 30 Feb 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:60:00 GMT", "Sun, 00 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49",
        "Sun Nov 6 08:49:37 1994", "Sun, 06 nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-1994 08:49:37 GMT"}) {
    EXPECT_FALSE(parseHttpDate(bad).has_value()) << bad;
  }
}

TEST(HttpDate, IgnoresTheCLocale) {
  const char* old = std::setlocale(LC_TIME, nullptr);
  const std::string saved = old != nullptr ? old : "C";
  if (std::setlocale(LC_TIME, "de_DE.UTF-8") == nullptr) std::setlocale(LC_TIME, "C.UTF-8");
  EXPECT_EQ(format(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
  std::setlocale(LC_TIME, saved.c_str());
}

TEST(DateCache, ReformatsOnlyWhenTheSecondChanges) {
  DateCache cache;
  const std::string_view a = cache.get(784111777);
  EXPECT_EQ(a, "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(cache.get(784111777).data(), a.data());  // same storage, no copy
  EXPECT_EQ(cache.get(784111778), "Sun, 06 Nov 1994 08:49:38 GMT");
  EXPECT_EQ(cache.get(0), "Thu, 01 Jan 1970 00:00:00 GMT");
}

TEST(NotModifiedSince, ComparesWithOneSecondResolution) {
  const std::string_view ims = "Sun, 06 Nov 1994 08:49:37 GMT";
  EXPECT_TRUE(notModifiedSince(ims, 784111777));
  EXPECT_TRUE(notModifiedSince(ims, 784111000));
  EXPECT_FALSE(notModifiedSince(ims, 784111778));
  EXPECT_TRUE(notModifiedSince("Sunday, 06-Nov-94 08:49:37 GMT", 784111777));
}

TEST(NotModifiedSince, EmptyOrInvalidMeansModified) {
  EXPECT_FALSE(notModifiedSince("", 0));
  EXPECT_FALSE(notModifiedSince("yesterday", 0));
  EXPECT_FALSE(notModifiedSince("Sun, 06 Nov 1994 08:49:37 GMT junk", 0));
}

}  // namespace
}  // namespace learnhttpd::http
