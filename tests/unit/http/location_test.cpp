// SPDX-License-Identifier: MIT
// The Location of a redirect: redirect_to_https (the host the request named, our port, its target
// as sent) and a directory's slash (its decoded path, encoded; the query kept).

#include "http/location.hpp"

#include <gtest/gtest.h>

#include <string>

namespace learnhttpd::http {
namespace {

std::string location(std::string_view authority, std::string_view target,
                     std::uint16_t port = 443) {
  std::string out;
  if (!appendHttpsLocation(authority, target, port, out)) return "<refused>";
  return out;
}

TEST(HttpsLocation, HostWithoutItsPortAndOurs) {
  EXPECT_EQ(location("example.org", "/a.txt"), "https://example.org/a.txt");
  EXPECT_EQ(location("example.org:8080", "/a.txt"), "https://example.org/a.txt");
  EXPECT_EQ(location("example.org:8080", "/a.txt", 8443), "https://example.org:8443/a.txt");
  EXPECT_EQ(location("Example.ORG.", "/", 8443), "https://example.org.:8443/");
  EXPECT_EQ(location("127.0.0.1:80", "/x"), "https://127.0.0.1/x");
  EXPECT_EQ(location("[::1]:8080", "/x", 8443), "https://[::1]:8443/x");
  EXPECT_EQ(location("[2001:DB8::7]", "/x"), "https://[2001:db8::7]/x");
  EXPECT_EQ(location("my_host-1", "/x"), "https://my_host-1/x");
}

TEST(HttpsLocation, PathAndQueryAsSent) {
  EXPECT_EQ(location("h", "/a%20b/./c?x=1&y=%2F#f"), "https://h/a%20b/./c?x=1&y=%2F#f");
  EXPECT_EQ(location("h", "//evil.example/x"), "https://h//evil.example/x");
  EXPECT_EQ(location("h", "/\\evil.example"), "https://h/\\evil.example");
  EXPECT_EQ(location("h", "/?"), "https://h/?");
  // obs-text: percent-encoded, as a browser would before following the URL.
  EXPECT_EQ(location("h", "/caf\xc3\xa9?q=\xff"), "https://h/caf%C3%A9?q=%FF");
}

TEST(HttpsLocation, AbsoluteFormKeepsWhatFollowsTheAuthority) {
  EXPECT_EQ(location("h", "http://other/a?b"), "https://h/a?b");
  EXPECT_EQ(location("h", "HTTPS://other:1"), "https://h/");
  EXPECT_EQ(location("h", "http://other?q=1"), "https://h/?q=1");
  EXPECT_EQ(location("h", "http://other#x"), "https://h/#x");
}

TEST(HttpsLocation, HostsThatCouldPointElsewhereAreRefused) {
  for (std::string_view authority : {"",
                                     ":80",
                                     "evil.example@h",
                                     "h/evil",
                                     "h\\evil",
                                     "h evil",
                                     "h\r\nX: y",
                                     "h%2fevil",
                                     "%68",
                                     "h!",
                                     "h'x",
                                     "h;x",
                                     "h,x",
                                     "h(x)",
                                     "h*",
                                     "h+x",
                                     "h=x",
                                     "h&x",
                                     "h$x",
                                     "h~x",
                                     ".h",
                                     "h..x",
                                     ".",
                                     "h:x",
                                     "h:80:80",
                                     "[v1.x]",
                                     "[::1",
                                     "[]",
                                     "[::1]x",
                                     "h?x",
                                     "h#x",
                                     "\xc3\xa9.example"}) {
    EXPECT_EQ(location(authority, "/"), "<refused>") << authority;
  }
  const std::string longest(255, 'a');
  EXPECT_EQ(location(longest, "/"), "https://" + longest + "/");
  EXPECT_EQ(location(longest + "a", "/"), "<refused>");
}

TEST(HttpsLocation, RefusalLeavesTheBufferAlone) {
  std::string out = "kept";
  EXPECT_FALSE(appendHttpsLocation("a@b", "/", 443, out));
  EXPECT_EQ(out, "kept");
}

TEST(RequestAuthority, AbsoluteFormThenHostThenNone) {
  Request r;
  r.target = "/x";
  EXPECT_FALSE(requestAuthority(r).has_value());  // HTTP/1.0 without Host
  r.has_host = true;
  r.host = "";
  EXPECT_FALSE(requestAuthority(r).has_value());  // an empty Host names nothing either
  r.host = "example.org:8080";
  EXPECT_EQ(requestAuthority(r), "example.org:8080");
  r.target = "http://other.example:81/x?y";
  EXPECT_EQ(requestAuthority(r), "other.example:81");  // RFC 9112 section 3.2.2
  r.target = "Http://other.example?y";
  EXPECT_EQ(requestAuthority(r), "other.example");
  r.target = "http:///x";
  EXPECT_EQ(requestAuthority(r), "");  // no host: refused by appendHttpsLocation
}

std::string directory(std::string_view decoded_path, std::string_view target) {
  std::string out;
  appendDirectoryLocation(decoded_path, target, out);
  return out;
}

TEST(DirectoryLocation, AddsTheSlashAndKeepsTheQuery) {
  EXPECT_EQ(directory("/dir", "/dir"), "/dir/");
  EXPECT_EQ(directory("/a/b", "/a/b?x=1&y=%20#frag"), "/a/b/?x=1&y=%20");
  EXPECT_EQ(directory("/", "/"), "/");
}

TEST(DirectoryLocation, NeverStartsWithTwoSlashesOrABackslash) {
  // decodeTarget keeps repeated slashes out already; this value would still not leave the host.
  EXPECT_EQ(directory("//evil.example//dir", "//evil.example//dir"), "/evil.example/dir/");
  EXPECT_EQ(directory("/\\evil.example", "/%5Cevil.example"), "/%5Cevil.example/");
  EXPECT_EQ(directory("/a b/\xc3\xa9", "/a%20b/%C3%A9"), "/a%20b/%C3%A9/");
}

TEST(DirectoryLocation, EncodesWhatDoesNotBelongInAHeader) {
  EXPECT_EQ(directory("/d", "/d?a\r\nSet-Cookie: x"), "/d/?a%0D%0ASet-Cookie:%20x");
  EXPECT_EQ(directory("/d\x7f\x01", "/d"), "/d%7F%01/");
}

std::string rule(std::string_view to, std::string_view captured, std::string_view target) {
  std::string out;
  appendRuleLocation(to, captured, target, out);
  return out;
}

TEST(RuleLocation, TheCapturedPartTakesTheStarAndTheQueryComesAlong) {
  EXPECT_EQ(rule("/new.html", "", "/old.html?a=1"), "/new.html?a=1");
  EXPECT_EQ(rule("/posts/*", "2024/hello world", "/blog/2024/hello%20world"),
            "/posts/2024/hello%20world");
  EXPECT_EQ(rule("/posts/*.html", "x", "/p/x"), "/posts/x.html");
  EXPECT_EQ(rule("/new?from=old", "", "/old?a=1"), "/new?from=old") << "the rule's own query";
  EXPECT_EQ(rule("https://docs.example.org/*", "guide/\xc3\xa9", "/docs/guide/%C3%A9?q"),
            "https://docs.example.org/guide/%C3%A9?q");
  EXPECT_EQ(rule("https://docs.example.org", "", "/docs"), "https://docs.example.org/");
}

TEST(RuleLocation, NeverNamesAHostTheRuleDoesNot) {
  // A pattern like "/a*" captures "/evil.example/x" from "/a/evil.example/x".
  EXPECT_EQ(rule("/*", "/evil.example/x", "/a/evil.example/x"), "/evil.example/x");
  EXPECT_EQ(rule("/*", "\\evil.example", "/%5Cevil.example"), "/%5Cevil.example");
  EXPECT_EQ(rule("/x/*", "a//b", "/"), "/x/a/b");
  EXPECT_EQ(rule("/*/", "/", "/"), "/");
  EXPECT_EQ(rule("/*", "a\r\nSet-Cookie: x", "/"), "/a%0D%0ASet-Cookie:%20x");
  EXPECT_EQ(rule("https://a.example/*", "//b.example", "/"), "https://a.example/b.example");
}

TEST(RuleLocation, WhatTheLoaderAccepts) {
  for (std::string_view good :
       {"/", "/new", "/a/*", "/*.html", "/a?b=c", "/%20x", "/a:b@c", "https://docs.example.org",
        "http://Docs.Example.org:8080/*", "https://[::1]/x"}) {
    EXPECT_TRUE(isRuleTarget(good, true)) << good;
  }
  for (std::string_view bad :
       {"", "new", "//evil.example", "/\\evil", "/a//b", "/a*b*", "/a?x=*", "/a b", "/a\"b", "/%2",
        "/%zz", "https://", "ftp://x/", "https://evil.example@a/", "https://a b/",
        "https://[v1.x]/", "javascript:alert(1)", "/a#frag"}) {
    EXPECT_FALSE(isRuleTarget(bad, true)) << bad;
  }
  EXPECT_FALSE(isRuleTarget("https://docs.example.org/", false)) << "a rewrite stays here";
  EXPECT_TRUE(isRuleTarget("/x/*", false));
}

}  // namespace
}  // namespace learnhttpd::http
