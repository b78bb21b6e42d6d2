// SPDX-License-Identifier: MIT
// Host field syntax (RFC 9112 section 3.2 / RFC 3986 section 3.2.2).

#include "http/host.hpp"

#include <gtest/gtest.h>

namespace learnhttpd::http {
namespace {

TEST(Host, RegNamesAndIpv4WithOrWithoutPort) {
  for (std::string_view h :
       {"example.com", "example.com:8080", "localhost", "127.0.0.1", "127.0.0.1:80", "a-b_c~d.e",
        "%41bc", "sub!$&'()*+,;=x", "x:", "", "EXAMPLE.COM", "xn--bcher-kva.example"}) {
    EXPECT_TRUE(isValidHost(h)) << h;
  }
}

TEST(Host, IpLiterals) {
  for (std::string_view h : {"[::1]", "[::1]:8080", "[2001:db8::7]", "[::ffff:192.0.2.1]",
                             "[1:2:3:4:5:6:7:8]", "[fe80::1:2]:1", "[v1.x]", "[v7.a:b]"}) {
    EXPECT_TRUE(isValidHost(h)) << h;
  }
}

TEST(Host, AnythingThatCouldCarryAnotherAuthorityOrPathIsInvalid) {
  for (std::string_view h :
       {"exa mple.com", "x/y", "x@y", "user@host:80", "x?y", "x#y", "\"x\"", "x\\y", "x\t1", "%zz",
        "%4", "%", "<x>", "x:8o", "x:80:80", "::1", "x:-1"}) {
    EXPECT_FALSE(isValidHost(h)) << h;
  }
}

TEST(Host, MalformedIpLiteralsAreInvalid) {
  for (std::string_view h : {"[::1", "[]", "[::1]x", "[::1]:x", "[x::1]", "[1:2]", "[12345::1]",
                             "[1::2::3]", "[1:2:3:4:5:6:7:8:9]", "[::1.2.3.a]", "[1.2::3]", "[v.x]",
                             "[v1.]", "[v1x]", "[v1.x/y]", "[::1]]"}) {
    EXPECT_FALSE(isValidHost(h)) << h;
  }
}

}  // namespace
}  // namespace learnhttpd::http
