// SPDX-License-Identifier: MIT
// The scalar syntaxes shared by the config file and the CLI.

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#include "config/config_loader.hpp"

namespace learnhttpd::config {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(ParseDuration, AcceptsEveryUnit) {
  EXPECT_EQ(parseDuration("500ms"), milliseconds(500));
  EXPECT_EQ(parseDuration("75s"), seconds(75));
  EXPECT_EQ(parseDuration("2m"), minutes(2));
  EXPECT_EQ(parseDuration("1h"), hours(1));
}

TEST(ParseDuration, NoUnitMeansSeconds) {
  EXPECT_EQ(parseDuration("30"), seconds(30));
  EXPECT_EQ(parseDuration("0"), Duration::zero());
  EXPECT_EQ(parseDuration("0ms"), Duration::zero());
  EXPECT_EQ(parseDuration("007s"), seconds(7));
}

TEST(ParseDuration, AcceptsTheLargestValueThatFits) {
  const auto max_hours = std::numeric_limits<Duration::rep>::max() / 3'600'000;
  EXPECT_EQ(parseDuration(std::to_string(max_hours) + "h"), hours(max_hours));
  EXPECT_THROW(parseDuration(std::to_string(max_hours + 1) + "h"), std::invalid_argument);
}

TEST(ParseDuration, RejectsJunkNegativesAndOverflow) {
  for (const char* text :
       {"", "s", "ms", "-5s", "+5s", " 5s", "5s ", "5 s", "5sec", "1.5s", "5S", "5d", "0x10",
        "5ms5", "99999999999999999999", "9223372036854775808ms", "9223372036854775807s"}) {
    EXPECT_THROW(parseDuration(text), std::invalid_argument) << "'" << text << "'";
  }
}

TEST(ParseSize, AcceptsBinaryMultiplesInAnyCase) {
  EXPECT_EQ(parseSize("16384"), 16384U);
  EXPECT_EQ(parseSize("0"), 0U);
  EXPECT_EQ(parseSize("16k"), 16U * 1024);
  EXPECT_EQ(parseSize("16K"), 16U * 1024);
  EXPECT_EQ(parseSize("1m"), 1024U * 1024);
  EXPECT_EQ(parseSize("3M"), 3U * 1024 * 1024);
  EXPECT_EQ(parseSize("1g"), std::size_t{1} << 30);
  EXPECT_EQ(parseSize("2G"), std::size_t{2} << 30);
}

TEST(ParseSize, RejectsJunkNegativesAndOverflow) {
  for (const char* text : {"", "k", "-1", "-1k", "+1", "1kb", "1.5k", "1t", " 1", "1 k", "0x10",
                           "18446744073709551616", "17179869184g"}) {
    EXPECT_THROW(parseSize(text), std::invalid_argument) << "'" << text << "'";
  }
  EXPECT_EQ(parseSize("17179869183g"), std::size_t{17179869183} << 30);
}

TEST(ParseUnsigned, ReadsPlainDecimalUpToMax) {
  EXPECT_EQ(parseUnsigned("0", 10), 0U);
  EXPECT_EQ(parseUnsigned("08", 10), 8U);
  EXPECT_EQ(parseUnsigned("10", 10), 10U);
  EXPECT_EQ(parseUnsigned("11", 10), std::nullopt);
  EXPECT_EQ(parseUnsigned("18446744073709551615", UINT64_MAX), UINT64_MAX);
  EXPECT_EQ(parseUnsigned("18446744073709551616", UINT64_MAX), std::nullopt);
  for (const char* text : {"", "-1", "+1", "0x1", " 1", "1 ", "1e3", "one"}) {
    EXPECT_EQ(parseUnsigned(text, 100), std::nullopt) << "'" << text << "'";
  }
}

ListenAddress address(const char* host, std::uint16_t port) {
  return ListenAddress{host, port};
}

TEST(ParseListenAddress, Ipv4HostAndPort) {
  EXPECT_EQ(parseListenAddress("0.0.0.0:8080"), address("0.0.0.0", 8080));
  EXPECT_EQ(parseListenAddress("127.0.0.1:0"), address("127.0.0.1", 0));
  EXPECT_EQ(parseListenAddress("10.1.2.3:65535"), address("10.1.2.3", 65535));
}

TEST(ParseListenAddress, PortAloneStarAndLocalhost) {
  EXPECT_EQ(parseListenAddress("8080"), address("0.0.0.0", 8080));
  EXPECT_EQ(parseListenAddress("0"), address("0.0.0.0", 0));
  EXPECT_EQ(parseListenAddress("*:80"), address("0.0.0.0", 80));
  EXPECT_EQ(parseListenAddress("localhost:443"), address("127.0.0.1", 443));
}

TEST(ParseListenAddress, Ipv6InBracketsIsNormalised) {
  EXPECT_EQ(parseListenAddress("[::1]:8080"), address("::1", 8080));
  EXPECT_EQ(parseListenAddress("[::]:80"), address("::", 80));
  EXPECT_EQ(parseListenAddress("[0:0::0:1]:80"), address("::1", 80));
  EXPECT_EQ(parseListenAddress("[2001:DB8::1]:443"), address("2001:db8::1", 443));
}

TEST(ParseListenAddress, RejectsBadHostsAndPorts) {
  for (const char* text : {"",
                           ":80",
                           "127.0.0.1",
                           "127.0.0.1:",
                           "127.0.0.1:65536",
                           "127.0.0.1:-1",
                           "127.0.0.1:8o",
                           "127.0.0.1: 80",
                           "1.2.3:80",
                           "256.1.1.1:80",
                           "example.com:80",
                           "::1:80",
                           ":::80",
                           "[::1]",
                           "[::1]80",
                           "[::1]:",
                           "[127.0.0.1]:80",
                           "[fe80::1%eth0]:80",
                           "[]:80",
                           "65536",
                           "-1",
                           "8080x",
                           "*",
                           "localhost"}) {
    EXPECT_THROW(parseListenAddress(text), std::invalid_argument) << "'" << text << "'";
  }
}

TEST(ParseListenHost, AcceptsEveryHostForm) {
  EXPECT_EQ(parseListenHost("127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(parseListenHost("::1"), "::1");
  EXPECT_EQ(parseListenHost("[::1]"), "::1");
  EXPECT_EQ(parseListenHost("[::]"), "::");
  EXPECT_EQ(parseListenHost("*"), "0.0.0.0");
  EXPECT_EQ(parseListenHost("localhost"), "127.0.0.1");
}

TEST(ParseListenHost, RejectsAddressesWithPortsAndNames) {
  for (const char* text :
       {"", "1.2.3.4:80", "[::1]:80", "example.com", "8080", "[1.2.3.4]", "[]"}) {
    EXPECT_THROW(parseListenHost(text), std::invalid_argument) << "'" << text << "'";
  }
}

}  // namespace
}  // namespace learnhttpd::config
