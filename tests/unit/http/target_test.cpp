// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <string>

#include "http/target.hpp"

namespace learnhttpd::http {
namespace {

struct Decoded {
  bool ok;
  std::string path;
  bool trailing_slash;
};

Decoded decode(std::string_view target) {
  std::string out = "stale contents";
  const TargetPath t = decodeTarget(target, out);
  return {t.ok, out, t.trailing_slash};
}

void expectPath(std::string_view target, std::string_view path, bool trailing) {
  const Decoded d = decode(target);
  EXPECT_TRUE(d.ok) << target;
  EXPECT_EQ(d.path, path) << target;
  EXPECT_EQ(d.trailing_slash, trailing) << target;
}

void expectBadRequest(std::string_view target) {
  std::string out;
  const TargetPath t = decodeTarget(target, out);
  EXPECT_FALSE(t.ok) << target;
  EXPECT_EQ(t.error, Status::BadRequest) << target;
}

TEST(DecodeTarget, PlainPaths) {
  expectPath("/", "/", true);
  expectPath("/index.html", "/index.html", false);
  expectPath("/dir/", "/dir/", true);
  expectPath("/a/b/c.txt", "/a/b/c.txt", false);
}

TEST(DecodeTarget, QueryAndFragmentAreStrippedBeforeDecoding) {
  expectPath("/a.txt?x=1&y=/../..", "/a.txt", false);
  expectPath("/a.txt#frag", "/a.txt", false);
  expectPath("/dir/?q#f", "/dir/", true);
  expectPath("/what%3F.txt", "/what?.txt", false);
}

TEST(DecodeTarget, PercentDecoding) {
  expectPath("/space%20in%20name.txt", "/space in name.txt", false);
  expectPath("/%41%62%63", "/Abc", false);
  expectPath("/caf%C3%A9", "/caf\xC3\xA9", false);
  expectPath("/a%2Fb", "/a/b", false);
  expectPath("/a%2fb", "/a/b", false);
}

TEST(DecodeTarget, BadEscapesAndNul) {
  expectBadRequest("/%zz");
  expectBadRequest("/%4");
  expectBadRequest("/%");
  expectBadRequest("/a%g1");
  expectBadRequest("/%00");
  expectBadRequest("/a%00.txt");
  expectBadRequest(std::string_view("/a\0b", 4));
}

TEST(DecodeTarget, DotSegmentsAndSlashes) {
  expectPath("//a///b", "/a/b", false);
  expectPath("/a/./b", "/a/b", false);
  expectPath("/a/b/../c", "/a/c", false);
  expectPath("/a/.", "/a/", true);
  expectPath("/a/b/..", "/a/", true);
  expectPath("/a/..", "/", true);
  expectPath("/.", "/", true);
  expectPath("/a/%2e/b", "/a/b", false);
}

TEST(DecodeTarget, ClimbingAboveTheRootIsRejected) {
  expectBadRequest("/..");
  expectBadRequest("/../etc/passwd");
  expectBadRequest("/a/../../b");
  expectBadRequest("/..%2f..%2fetc/passwd");
  expectBadRequest("/%2e%2e/");
  expectBadRequest("/%2E%2E");
  expectBadRequest("/a/%2e%2e/%2e%2e/x");
}

TEST(DecodeTarget, DotsInsideNamesAreOrdinary) {
  expectPath("/text..txt", "/text..txt", false);
  expectPath("/a..b/c", "/a..b/c", false);
  expectPath("/...", "/...", false);
  expectPath("/.hidden", "/.hidden", false);
  expectPath("/..a", "/..a", false);
}

TEST(DecodeTarget, AbsoluteForm) {
  expectPath("http://example.com/a/b?x", "/a/b", false);
  expectPath("HTTP://Example.com:8080/x/", "/x/", true);
  expectPath("https://example.com/s", "/s", false);
  expectPath("http://example.com", "/", true);
  expectPath("http://example.com?q=1", "/", true);
  expectBadRequest("http:///nohost");
  expectBadRequest("ftp://example.com/a");
  expectBadRequest("http://example.com/../x");
}

TEST(DecodeTarget, OtherFormsAreRejected) {
  expectBadRequest("*");
  expectBadRequest("");
  expectBadRequest("example.com:443");
  expectBadRequest("a/b");
  expectBadRequest("?q");
}

// The decoded path is tested (decodeTarget's output), so escapes and dot-segments are gone.
TEST(IsHiddenPath, AComponentStartingWithADot) {
  for (std::string_view path :
       {"/.env", "/.git/config", "/.git/", "/a/.git", "/a/b/.c/d", "/.well-known/.secret",
        "/.well-known/a/.b", "/.well-knownx/a", "/.Well-Known/a", "/a/.well-known/b", "/.", "/..",
        "/...", "/a/..b"}) {
    EXPECT_TRUE(isHiddenPath(path)) << path;
  }
}

TEST(IsHiddenPath, WellKnownAsTheFirstComponentAndDotsInsideNames) {
  for (std::string_view path :
       {"/", "/a.txt", "/a/b.c/d", "/text..txt", "/a./b", "/.well-known", "/.well-known/",
        "/.well-known/acme-challenge/token", "/a/b/", ""}) {
    EXPECT_FALSE(isHiddenPath(path)) << path;
  }
}

TEST(IsHiddenPath, DecodingCannotHideTheDot) {
  for (std::string_view target :
       {"/%2egit/config", "/%2Eenv", "/a/%2E%2E/.env", "//.env", "/a/../.env", "/./.env",
        "http://x/.env", "/.env?x", "/.well-known/../.env", "/.well-known/%2e%2e/.git/x"}) {
    std::string out;
    ASSERT_TRUE(decodeTarget(target, out).ok) << target;
    EXPECT_TRUE(isHiddenPath(out)) << target << " -> " << out;
  }
}

TEST(DecodeTarget, FailureClearsOutput) {
  std::string out = "previous";
  EXPECT_FALSE(decodeTarget("/../x", out).ok);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace learnhttpd::http
