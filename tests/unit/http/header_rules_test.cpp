// SPDX-License-Identifier: MIT
#include "http/header_rules.hpp"

#include <gtest/gtest.h>

namespace learnhttpd::http {
namespace {

HeaderRules sample() {
  return HeaderRules({
      {"/", {{"X-Content-Type-Options", "nosniff"}}},
      {"/assets/", {{"Cache-Control", "immutable"}, {"Expires", "never"}}},
      {"*.html", {{"cache-control", "no-cache"}}},
  });
}

std::string fieldsFor(const HeaderRules& rules, std::string_view path) {
  std::string out;
  rules.appendFields(path, out);
  return out;
}

TEST(HeaderRules, PrefixRules) {
  EXPECT_EQ(fieldsFor(sample(), "/assets/app.js"),
            "X-Content-Type-Options: nosniff\r\nCache-Control: immutable\r\nExpires: never\r\n");
  EXPECT_EQ(fieldsFor(sample(), "/assetsX.js"), "X-Content-Type-Options: nosniff\r\n");
}

TEST(HeaderRules, ExtensionRulesIgnoreCaseAndALaterRuleWins) {
  EXPECT_EQ(fieldsFor(sample(), "/assets/a.HTML"),
            "X-Content-Type-Options: nosniff\r\nExpires: never\r\ncache-control: no-cache\r\n");
  EXPECT_EQ(fieldsFor(sample(), "/html"), "X-Content-Type-Options: nosniff\r\n");
  EXPECT_EQ(fieldsFor(sample(), "/.html"),
            "X-Content-Type-Options: nosniff\r\ncache-control: no-cache\r\n");
}

TEST(HeaderRules, NoRulesNoFields) {
  HeaderRules none;
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(fieldsFor(none, "/a"), "");
  std::string out = "kept";
  sample().appendFields("x", out);  // not a path under "/": nothing appended
  EXPECT_EQ(out, "kept");
}

}  // namespace
}  // namespace learnhttpd::http
