// SPDX-License-Identifier: MIT
#include "http/gzip_policy.hpp"

#include <gtest/gtest.h>

namespace learnhttpd::http {
namespace {

TEST(GzipPolicy, MatchesTheMediaTypeWithoutParametersInAnyCase) {
  const GzipPolicy policy({"text/html", "image/svg+xml"}, 256, 1024, 1);
  EXPECT_TRUE(policy.typeMatches("text/html"));
  EXPECT_TRUE(policy.typeMatches("Text/HTML"));
  EXPECT_TRUE(policy.typeMatches("text/html; charset=utf-8"));
  EXPECT_TRUE(policy.typeMatches("text/html ;charset=utf-8"));
  EXPECT_TRUE(policy.typeMatches("image/svg+xml"));
  EXPECT_FALSE(policy.typeMatches("text/htmlx"));
  EXPECT_FALSE(policy.typeMatches("text/css"));
  EXPECT_FALSE(policy.typeMatches("image/png"));
  EXPECT_FALSE(policy.typeMatches(""));
}

TEST(GzipPolicy, StarMatchesEveryType) {
  const GzipPolicy policy({"text/css", "*"}, 0, 1, 9);
  EXPECT_TRUE(policy.typeMatches("application/octet-stream"));
  EXPECT_TRUE(policy.typeMatches("image/png"));
  EXPECT_EQ(policy.level(), 9);
}

TEST(GzipPolicy, SizeWindowIncludesBothEnds) {
  const GzipPolicy policy({"text/plain"}, 256, 1024, 1);
  EXPECT_FALSE(policy.sizeFits(0));
  EXPECT_FALSE(policy.sizeFits(255));
  EXPECT_TRUE(policy.sizeFits(256));
  EXPECT_TRUE(policy.sizeFits(1024));
  EXPECT_FALSE(policy.sizeFits(1025));
  EXPECT_EQ(policy.maxLength(), 1024U);
}

}  // namespace
}  // namespace learnhttpd::http
