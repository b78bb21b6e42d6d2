// SPDX-License-Identifier: MIT
// The field rules the loader holds a configuration to (http/field_rules.hpp).

#include "http/field_rules.hpp"

#include <gtest/gtest.h>

#include <string>

namespace learnhttpd::http {
namespace {

TEST(FieldRules, TokensAreRfc9110Tchars) {
  EXPECT_TRUE(isToken("Cache-Control"));
  EXPECT_TRUE(isToken("utf-8"));
  EXPECT_TRUE(isToken("x!#$%&'*+.^_`|~1"));
  EXPECT_FALSE(isToken(""));
  EXPECT_FALSE(isToken("a b"));
  EXPECT_FALSE(isToken("a:b"));
  EXPECT_FALSE(isToken("a/b"));
  EXPECT_FALSE(isToken("\xc3\xa9"));
}

TEST(FieldRules, AFieldValueCannotEndTheField) {
  EXPECT_TRUE(isFieldValue("max-age=86400, public"));
  EXPECT_TRUE(isFieldValue("a\tb"));
  EXPECT_TRUE(isFieldValue("caf\xc3\xa9"));  // obs-text is allowed in a value
  EXPECT_FALSE(isFieldValue(""));
  EXPECT_FALSE(isFieldValue(" leading"));
  EXPECT_FALSE(isFieldValue("trailing\t"));
  EXPECT_FALSE(isFieldValue("a\r\nSet-Cookie: x"));
  EXPECT_FALSE(isFieldValue("a\nb"));
  EXPECT_FALSE(isFieldValue(std::string("a\0b", 3)));
  EXPECT_FALSE(isFieldValue("a\x7f"));
}

TEST(FieldRules, NamesCompareCaseInsensitively) {
  EXPECT_TRUE(sameFieldName("Cache-Control", "cache-control"));
  EXPECT_FALSE(sameFieldName("Cache-Control", "Cache-Controls"));
  EXPECT_TRUE(isManagedField("CONTENT-LENGTH"));
  EXPECT_TRUE(isManagedField("etag"));
  EXPECT_FALSE(isManagedField("Cache-Control"));
}

}  // namespace
}  // namespace learnhttpd::http
