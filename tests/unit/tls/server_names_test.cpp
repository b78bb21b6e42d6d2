// SPDX-License-Identifier: MIT
// ServerNames: exact names and one-label wildcards, case-insensitive, exact before wildcard,
// the first certificate keeping a name two of them list.

#include "tls/server_names.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace learnhttpd::tls {
namespace {

using Outcome = ServerNames::Outcome;

TEST(ServerNames, ExactNamesIgnoreCase) {
  ServerNames names;
  EXPECT_EQ(names.add("a.test", 1).outcome, Outcome::Added);
  EXPECT_EQ(names.add("WWW.A.Test", 1).outcome, Outcome::Added);
  EXPECT_EQ(names.find("a.test"), 1U);
  EXPECT_EQ(names.find("A.TEST"), 1U);
  EXPECT_EQ(names.find("www.a.test"), 1U);
  EXPECT_EQ(names.find("b.test"), std::nullopt);
  EXPECT_EQ(names.find("a.test.evil"), std::nullopt);
  EXPECT_EQ(names.find("xa.test"), std::nullopt);
  EXPECT_EQ(names.find(""), std::nullopt);
}

TEST(ServerNames, WildcardStandsForExactlyOneLabel) {
  ServerNames names;
  EXPECT_EQ(names.add("*.b.test", 2).outcome, Outcome::Added);
  EXPECT_EQ(names.find("x.b.test"), 2U);
  EXPECT_EQ(names.find("X-Y.B.TEST"), 2U);
  EXPECT_EQ(names.find("b.test"), std::nullopt);      // no label for the star
  EXPECT_EQ(names.find(".b.test"), std::nullopt);     // an empty one
  EXPECT_EQ(names.find("y.x.b.test"), std::nullopt);  // two labels
  EXPECT_EQ(names.find("*.b.test"), std::nullopt);    // a client's star is not a wildcard
  EXPECT_EQ(names.find("xb.test"), std::nullopt);
}

TEST(ServerNames, ExactWinsOverWildcardAndFirstKeepsAName) {
  ServerNames names;
  EXPECT_EQ(names.add("*.c.test", 0).outcome, Outcome::Added);
  EXPECT_EQ(names.add("www.c.test", 3).outcome, Outcome::Added);
  EXPECT_EQ(names.find("www.c.test"), 3U);
  EXPECT_EQ(names.find("api.c.test"), 0U);
  ServerNames::Added again = names.add("WWW.c.test", 4);
  EXPECT_EQ(again.outcome, Outcome::Taken);
  EXPECT_EQ(again.holder, 3U);
  EXPECT_EQ(names.find("www.c.test"), 3U);
  EXPECT_EQ(names.add("*.C.TEST", 5).outcome, Outcome::Taken);
  // The same certificate listing a name twice takes nothing from anyone.
  EXPECT_EQ(names.add("www.C.test", 3).outcome, Outcome::Added);
}

TEST(ServerNames, UnusablePatternsAreRefused) {
  ServerNames names;
  for (const char* pattern :
       {"", "*", "*.", "w*.d.test", "a.*.d.test", "a..d.test", ".d.test", "d.test."}) {
    EXPECT_EQ(names.add(pattern, 1).outcome, Outcome::Unusable) << pattern;
  }
  EXPECT_EQ(names.find("w.d.test"), std::nullopt);
  EXPECT_EQ(names.find("wx.d.test"), std::nullopt);
}

TEST(ServerNames, OverlongNamesSelectNothing) {
  ServerNames names;
  ASSERT_EQ(names.add("*.e.test", 1).outcome, Outcome::Added);
  std::string label(63, 'x');
  std::string longest = label + "." + label + "." + label + "." + std::string(56, 'x') + ".e.test";
  ASSERT_EQ(longest.size(), ServerNames::kMaxName);
  EXPECT_EQ(names.find(longest), std::nullopt);  // several labels before the suffix
  std::string one_label = std::string(ServerNames::kMaxName - 7, 'y') + ".e.test";
  EXPECT_EQ(names.find(one_label), 1U);
  EXPECT_EQ(names.find("z" + one_label), std::nullopt);  // past kMaxName
}

}  // namespace
}  // namespace learnhttpd::tls
