// SPDX-License-Identifier: MIT
// Validators and conditional requests (RFC 9110 section 13).

#include "http/conditional.hpp"

#include <gtest/gtest.h>

namespace learnhttpd::http {
namespace {

TEST(EntityTag, WeakTagForBytesMadePerRequest) {
  EXPECT_EQ(EntityTag(784111777, 1000, "gzip", true).view(), "W/\"2ebc98a1-3e8-gzip\"");
  EXPECT_EQ(EntityTag(-1, UINT64_MAX, "gzip", true).view(), "W/\"0-ffffffffffffffff-gzip\"");
  // If-None-Match compares weakly: either form of the tag matches.
  EXPECT_TRUE(
      noneMatchFails("W/\"2ebc98a1-3e8-gzip\"", EntityTag(784111777, 1000, "gzip", true).view()));
  EXPECT_TRUE(
      noneMatchFails("\"2ebc98a1-3e8-gzip\"", EntityTag(784111777, 1000, "gzip", true).view()));
}

TEST(EntityTag, IsQuotedHexMtimeAndSize) {
  EXPECT_EQ(EntityTag(784111777, 1000).view(), "\"2ebc98a1-3e8\"");
  EXPECT_EQ(EntityTag(0, 0).view(), "\"0-0\"");
  EXPECT_NE(EntityTag(784111777, 1000).view(), EntityTag(784111778, 1000).view());
  EXPECT_NE(EntityTag(784111777, 1000).view(), EntityTag(784111777, 1001).view());
}

TEST(EntityTag, ACodingGetsItsOwnTag) {
  EXPECT_EQ(EntityTag(784111777, 1000, "gzip").view(), "\"2ebc98a1-3e8-gzip\"");
  EXPECT_EQ(EntityTag(-1, UINT64_MAX, "zstd").view(), "\"0-ffffffffffffffff-zstd\"");
  EXPECT_FALSE(noneMatchFails("\"2ebc98a1-3e8\"", EntityTag(784111777, 1000, "br").view()));
}

TEST(IfNoneMatch, MatchesAnyListedTagWeaklyOrStar) {
  constexpr std::string_view kTag = "\"2ebc98a1-3e8\"";
  EXPECT_TRUE(noneMatchFails("\"2ebc98a1-3e8\"", kTag));
  EXPECT_TRUE(noneMatchFails("W/\"2ebc98a1-3e8\"", kTag));
  EXPECT_TRUE(noneMatchFails("\"x\", \"2ebc98a1-3e8\" ,\"y\"", kTag));
  EXPECT_TRUE(noneMatchFails(" * ", kTag));
  EXPECT_FALSE(noneMatchFails("", kTag));
  EXPECT_FALSE(noneMatchFails("\"2ebc98a1-3e9\"", kTag));
  EXPECT_FALSE(noneMatchFails("2ebc98a1-3e8", kTag));  // unquoted is not the same tag
}

TEST(IfNoneMatch, EveryLineOfARepeatedFieldCounts) {
  constexpr std::string_view kTag = "\"2ebc98a1-3e8\"";
  FieldLines lines;
  EXPECT_FALSE(noneMatchFails(lines, kTag));
  lines.lines[lines.count++] = "\"2ebc98a1-3e8\"";
  lines.lines[lines.count++] = "\"other\"";
  EXPECT_TRUE(noneMatchFails(lines, kTag));  // the first line matches, the last does not
  lines.lines[0] = "\"a\", \"b\"";
  EXPECT_FALSE(noneMatchFails(lines, kTag));
  lines.lines[lines.count++] = "W/\"2ebc98a1-3e8\"";
  EXPECT_TRUE(noneMatchFails(lines, kTag));
}

TEST(IfModifiedSince, NotLaterThanTheDateIsNotModified) {
  EXPECT_TRUE(notModifiedSince("Sun, 06 Nov 1994 08:49:37 GMT", 784111777));
  EXPECT_TRUE(notModifiedSince("Sun, 06 Nov 1994 08:49:38 GMT", 784111777));
  EXPECT_FALSE(notModifiedSince("Sun, 06 Nov 1994 08:49:36 GMT", 784111777));
  EXPECT_FALSE(notModifiedSince("yesterday", 784111777));
}

}  // namespace
}  // namespace learnhttpd::http
