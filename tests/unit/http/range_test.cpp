// SPDX-License-Identifier: MIT
// Byte ranges (RFC 9110 section 14) and If-Range (section 13.1.5).

#include "http/range.hpp"

#include <gtest/gtest.h>

#include "http/request_parser.hpp"
#include "http/response_head.hpp"

namespace learnhttpd::http {
namespace {

void expectRange(std::string_view value, std::uint64_t size, std::uint64_t first,
                 std::uint64_t last) {
  RangeDecision d = evaluateRange(value, size);
  ASSERT_EQ(d.kind, RangeKind::Satisfiable) << value;
  EXPECT_EQ(d.first, first) << value;
  EXPECT_EQ(d.last, last) << value;
}

TEST(Range, ClosedOpenAndSuffixForms) {
  expectRange("bytes=0-99", 1000, 0, 99);
  expectRange("bytes=100-", 1000, 100, 999);
  expectRange("bytes=-500", 1000, 500, 999);
  expectRange("bytes=999-999", 1000, 999, 999);
  expectRange("BYTES = 5-9", 1000, 5, 9);
}

TEST(Range, LastPastTheEndIsClampedAndLongSuffixMeansAll) {
  expectRange("bytes=990-5000", 1000, 990, 999);
  expectRange("bytes=-5000", 1000, 0, 999);
}

TEST(Range, StartPastTheEndIsUnsatisfiable) {
  EXPECT_EQ(evaluateRange("bytes=1000-", 1000).kind, RangeKind::Unsatisfiable);
  EXPECT_EQ(evaluateRange("bytes=5000-6000", 1000).kind, RangeKind::Unsatisfiable);
  EXPECT_EQ(evaluateRange("bytes=-0", 1000).kind, RangeKind::Unsatisfiable);
  EXPECT_EQ(evaluateRange("bytes=0-", 0).kind, RangeKind::Unsatisfiable);
}

TEST(Range, MalformedOtherUnitsAndMultipleRangesAreIgnored) {
  for (std::string_view v : {"", "bytes", "bytes=", "bytes=-", "bytes=a-b", "bytes=5-1",
                             "items=0-1", "bytes=0-1,5-6", "bytes=1-2-3", "bytes=+1-2"}) {
    EXPECT_EQ(evaluateRange(v, 1000).kind, RangeKind::Ignore) << v;
  }
}

TEST(Range, HugeNumbersDoNotOverflow) {
  EXPECT_EQ(evaluateRange("bytes=99999999999999999999999-", 1000).kind, RangeKind::Ignore);
  expectRange("bytes=0-18446744073709551615", 1000, 0, 999);
}

TEST(IfRange, AnEqualDateOrTheSameStrongTagMatches) {
  constexpr std::string_view kTag = "\"2ebc98a1-3e8\"";
  EXPECT_TRUE(ifRangeMatches("", 784111777, kTag));
  EXPECT_TRUE(ifRangeMatches("Sun, 06 Nov 1994 08:49:37 GMT", 784111777, kTag));
  EXPECT_FALSE(ifRangeMatches("Sun, 06 Nov 1994 08:49:38 GMT", 784111777, kTag));
  EXPECT_TRUE(ifRangeMatches("\"2ebc98a1-3e8\"", 784111777, kTag));
  EXPECT_FALSE(ifRangeMatches("\"an-etag\"", 784111777, kTag));
  EXPECT_FALSE(ifRangeMatches("W/\"2ebc98a1-3e8\"", 784111777, kTag));  // weak: never
}

TEST(Range, ParserKeepsRangeAndIfRange) {
  constexpr std::string_view kRequest =
      "GET /a HTTP/1.1\r\nHost: x\r\nRange: bytes=1-2\r\nIf-Range: \"e\"\r\n\r\n";
  auto result = parse(kRequest, ParseLimits{});
  auto* complete = std::get_if<Complete>(&result);
  ASSERT_NE(complete, nullptr);
  EXPECT_EQ(complete->request.range, "bytes=1-2");
  EXPECT_EQ(complete->request.if_range, "\"e\"");
}

TEST(Range, HeadsCarryContentRange) {
  ResponseHead head;
  head.status = Status::PartialContent;
  head.date = "Sun, 06 Nov 1994 08:49:37 GMT";
  head.content_length = 10;
  head.accept_ranges = true;
  head.complete_length = 1000;
  head.range_first = 5;
  head.range_last = 14;
  std::string out;
  appendResponseHead(head, out);
  EXPECT_NE(out.find("HTTP/1.1 206 Partial Content\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\r\nAccept-Ranges: bytes\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\r\nContent-Range: bytes 5-14/1000\r\n"), std::string::npos) << out;

  head.status = Status::RangeNotSatisfiable;
  out.clear();
  appendResponseHead(head, out);
  EXPECT_NE(out.find("\r\nContent-Range: bytes */1000\r\n"), std::string::npos) << out;
}

}  // namespace
}  // namespace learnhttpd::http
