// SPDX-License-Identifier: MIT
// config::isHiddenPath (what the loader refuses as an index or error page) and
// http::isHiddenPath (what the server refuses to serve) are one rule written twice, because
// config/ includes no other folder: they must agree on every path.

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "config/config.hpp"
#include "http/target.hpp"

namespace learnhttpd {
namespace {

TEST(HiddenPath, TheLoaderAndTheServerAgree) {
  const std::string_view components[] = {"",    ".",           "..",          "...",         ".a",
                                         "a",   "a.b",         "a.",          "..a",         ".git",
                                         "b..", ".well-known", ".Well-Known", ".well-knownx"};
  int hidden = 0;
  for (std::string_view first : components) {
    for (std::string_view second : components) {
      for (std::string_view third : {"", "x", ".x"}) {
        std::string path = "/" + std::string(first) + "/" + std::string(second);
        if (!third.empty()) path += "/" + std::string(third);
        EXPECT_EQ(config::isHiddenPath(path), http::isHiddenPath(path)) << path;
        hidden += http::isHiddenPath(path) ? 1 : 0;
      }
    }
  }
  EXPECT_GT(hidden, 0);  // the table exercises both answers
  for (std::string_view relative : {".well-known/x", "a/.well-known", "a/.b", "a/b", "a.b", ""}) {
    EXPECT_EQ(config::isHiddenPath(relative), http::isHiddenPath(relative)) << relative;
  }
  EXPECT_FALSE(config::isHiddenPath("/.well-known/acme-challenge/t"));
  EXPECT_TRUE(config::isHiddenPath("/.well-known/.t"));
}

}  // namespace
}  // namespace learnhttpd
