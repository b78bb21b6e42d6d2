// SPDX-License-Identifier: MIT
#include "http/accept_encoding.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

namespace learnhttpd::http {
namespace {

FieldLines linesOf(std::initializer_list<std::string_view> values) {
  FieldLines lines;
  for (std::string_view v : values) lines.lines[lines.count++] = v;
  return lines;
}

// The ranked codings as their names, e.g. "br,gzip".
std::string ranked(std::initializer_list<std::string_view> values) {
  std::array<ContentCoding, kContentCodings> out{};
  const std::size_t n = rankCodings(parseAcceptEncoding(linesOf(values)), out);
  std::string names;
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) names += ',';
    names += codingName(out[i]);
  }
  return names;
}

TEST(AcceptEncoding, AbsentOrEmptyMeansIdentityOnly) {
  EXPECT_EQ(ranked({}), "");
  EXPECT_EQ(ranked({""}), "");
  EXPECT_EQ(parseAcceptEncoding(linesOf({})).identity, 1);
}

TEST(AcceptEncoding, EqualWeightsFollowThePreferenceOrder) {
  EXPECT_EQ(ranked({"gzip, deflate, br, zstd"}), "br,zstd,gzip");
  EXPECT_EQ(ranked({"gzip"}), "gzip");
  EXPECT_EQ(ranked({"deflate, compress"}), "");
}

TEST(AcceptEncoding, WeightsOrderTheCodings) {
  EXPECT_EQ(ranked({"br;q=0.5, gzip;q=0.9, zstd;q=0.7"}), "gzip,zstd,br");
  EXPECT_EQ(ranked({"br;q=0.001, gzip"}), "gzip,br");
  EXPECT_EQ(ranked({"gzip;q=1.000, br;q=1"}), "br,gzip");
}

TEST(AcceptEncoding, ZeroRefuses) {
  EXPECT_EQ(ranked({"br;q=0, gzip"}), "gzip");
  EXPECT_EQ(ranked({"gzip;q=0.000"}), "");
  EXPECT_EQ(ranked({"*;q=0"}), "");
}

TEST(AcceptEncoding, StarCoversWhatIsNotNamed) {
  EXPECT_EQ(ranked({"*"}), "br,zstd,gzip");
  EXPECT_EQ(ranked({"br;q=0, *"}), "zstd,gzip");
  EXPECT_EQ(ranked({"*;q=0.5, gzip"}), "gzip,br,zstd");
  AcceptedCodings a = parseAcceptEncoding(linesOf({"*;q=0.2"}));
  EXPECT_EQ(a.identity, 200);
}

TEST(AcceptEncoding, IdentityPreferredAboveACodingWins) {
  EXPECT_EQ(ranked({"gzip;q=0.5, identity"}), "");
  EXPECT_EQ(ranked({"gzip;q=0.5, identity;q=0.5"}), "gzip");
  EXPECT_EQ(ranked({"gzip, identity;q=0"}), "gzip");
  AcceptedCodings a = parseAcceptEncoding(linesOf({"identity;q=0"}));
  EXPECT_EQ(a.identity, 0);
}

TEST(AcceptEncoding, NamesAreCaseInsensitiveAndXGzipIsGzip) {
  EXPECT_EQ(ranked({"GZIP, Br"}), "br,gzip");
  EXPECT_EQ(ranked({"x-gzip"}), "gzip");
  EXPECT_EQ(ranked({"gzip ; Q = 0.5 , br"}), "br,gzip");
}

TEST(AcceptEncoding, LinesJoinAsOneList) {
  EXPECT_EQ(ranked({"gzip", "br;q=0.5"}), "gzip,br");
  EXPECT_EQ(ranked({",, ,gzip,", "zstd"}), "zstd,gzip");
}

TEST(AcceptEncoding, FirstMentionDecides) {
  EXPECT_EQ(ranked({"gzip;q=0, gzip"}), "");
  EXPECT_EQ(ranked({"gzip, gzip;q=0"}), "gzip");
}

TEST(AcceptEncoding, MalformedWeightIgnoresTheElement) {
  for (std::string_view bad : {"gzip;q=2", "gzip;q=1.5", "gzip;q=0.1234", "gzip;q=", "gzip;q=.5",
                               "gzip;q=-1", "gzip;q=1.001"}) {
    EXPECT_EQ(ranked({bad}), "") << bad;
  }
  EXPECT_EQ(ranked({"gzip;q=abc, br"}), "br");
  EXPECT_EQ(ranked({"gzip;level=9"}), "gzip");  // unknown parameters are skipped
}

TEST(AcceptEncoding, QvalueDigits) {
  EXPECT_EQ(parseAcceptEncoding(linesOf({"gzip;q=0.5"})).of(ContentCoding::Gzip), 500);
  EXPECT_EQ(parseAcceptEncoding(linesOf({"gzip;q=0.05"})).of(ContentCoding::Gzip), 50);
  EXPECT_EQ(parseAcceptEncoding(linesOf({"gzip;q=0.123"})).of(ContentCoding::Gzip), 123);
  EXPECT_EQ(parseAcceptEncoding(linesOf({"gzip;q=0."})).of(ContentCoding::Gzip), 0);
  EXPECT_EQ(parseAcceptEncoding(linesOf({"gzip;q=1."})).of(ContentCoding::Gzip), 1000);
}

TEST(AcceptEncoding, SuffixesAndNames) {
  EXPECT_EQ(codingSuffix(ContentCoding::Br), ".br");
  EXPECT_EQ(codingSuffix(ContentCoding::Zstd), ".zst");
  EXPECT_EQ(codingSuffix(ContentCoding::Gzip), ".gz");
  EXPECT_EQ(codingName(ContentCoding::Zstd), "zstd");
}

TEST(AcceptEncoding, AcceptsCodingWhenNotRefusedAndNotBelowIdentity) {
  const auto accepts = [](std::initializer_list<std::string_view> values) {
    return acceptsCoding(parseAcceptEncoding(linesOf(values)), ContentCoding::Gzip);
  };
  EXPECT_TRUE(accepts({"gzip"}));
  EXPECT_TRUE(accepts({"x-gzip"}));
  EXPECT_TRUE(accepts({"*"}));
  EXPECT_TRUE(accepts({"br", "gzip;q=0.1"}));
  EXPECT_TRUE(accepts({"gzip;q=0.5, identity;q=0.5"}));
  EXPECT_TRUE(accepts({"gzip, identity;q=0"}));
  EXPECT_FALSE(accepts({}));
  EXPECT_FALSE(accepts({"gzip;q=0"}));
  EXPECT_FALSE(accepts({"*;q=0"}));
  EXPECT_FALSE(accepts({"gzip;q=0, *"}));
  EXPECT_FALSE(accepts({"gzip;q=0.5, identity"}));
  EXPECT_FALSE(accepts({"identity;q=0"}));
  EXPECT_FALSE(accepts({"deflate, br"}));
}

}  // namespace
}  // namespace learnhttpd::http
