// SPDX-License-Identifier: MIT
// The chunked body decoder: whole bodies, every split, and every way a body can be malformed.

#include "http/chunked_decoder.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace learnhttpd::http {
namespace {

struct Outcome {
  ChunkedStatus status = ChunkedStatus::NeedMore;
  std::size_t consumed = 0;  // total over all feeds
  std::uint64_t data = 0;
};

// Feeds `bytes` in the pieces that `cuts` (ascending offsets) make, as a connection would:
// what a feed does not consume stays in front of the next piece.
Outcome feedInPieces(const std::string& bytes, const std::vector<std::size_t>& cuts,
                     ChunkedLimits limits = {}) {
  ChunkedDecoder d(limits);
  Outcome o;
  std::size_t from = 0;
  std::vector<std::size_t> ends = cuts;
  ends.push_back(bytes.size());
  for (std::size_t end : ends) {
    ChunkedProgress p = d.feed(std::string_view(bytes).substr(from, end - from));
    o.consumed += p.consumed;
    o.status = p.status;
    if (p.status != ChunkedStatus::NeedMore) break;
    from += p.consumed;
  }
  o.data = d.dataBytes();
  return o;
}

Outcome feedWhole(const std::string& bytes, ChunkedLimits limits = {}) {
  return feedInPieces(bytes, {}, limits);
}

const std::string kBody =
    "5;name=value;quoted=\"a b;c\"\r\nhello\r\n"
    "1A\r\nabcdefghijklmnopqrstuvwxyz\r\n"
    "000a ; ext\r\n0123456789\r\n"
    "0;last\r\nX-Trailer: yes\r\nChecksum: abc\r\n\r\n";

TEST(ChunkedDecoder, DecodesAWholeBodyAndStopsAtItsEnd) {
  const std::string next = "GET / HTTP/1.1\r\n";
  const Outcome o = feedWhole(kBody + next);
  EXPECT_EQ(o.status, ChunkedStatus::Done);
  EXPECT_EQ(o.consumed, kBody.size());  // the pipelined request stays with the caller
  EXPECT_EQ(o.data, 5U + 26U + 10U);
}

TEST(ChunkedDecoder, EmptyBodyIsTheLastChunkAlone) {
  EXPECT_EQ(feedWhole("0\r\n\r\n").status, ChunkedStatus::Done);
  EXPECT_EQ(feedWhole("0\r\n\r\n").consumed, 5U);
  EXPECT_EQ(feedWhole("00000\r\n\r\n").status, ChunkedStatus::Done);
}

TEST(ChunkedDecoder, EverySplitIntoTwoGivesTheSameResult) {
  const std::string bytes = kBody + "GET";
  for (std::size_t k = 0; k <= bytes.size(); ++k) {
    const Outcome o = feedInPieces(bytes, {k});
    EXPECT_EQ(o.status, ChunkedStatus::Done) << "split at " << k;
    EXPECT_EQ(o.consumed, kBody.size()) << "split at " << k;
  }
}

TEST(ChunkedDecoder, ByteByByteFeedingFinishesExactlyAtTheEnd) {
  std::vector<std::size_t> cuts;
  for (std::size_t k = 1; k < kBody.size(); ++k) cuts.push_back(k);
  ChunkedDecoder d;
  for (std::size_t k = 0; k < kBody.size(); ++k) {
    ChunkedProgress p = d.feed(std::string_view(kBody).substr(k, 1));
    ASSERT_EQ(p.consumed, 1U) << k;
    ASSERT_EQ(p.status, k + 1 == kBody.size() ? ChunkedStatus::Done : ChunkedStatus::NeedMore) << k;
  }
  EXPECT_EQ(feedInPieces(kBody, cuts).status, ChunkedStatus::Done);
}

TEST(ChunkedDecoder, EveryPrefixOfAValidBodyNeedsMore) {
  for (std::size_t k = 0; k < kBody.size(); ++k) {
    const Outcome o = feedWhole(kBody.substr(0, k));
    EXPECT_EQ(o.status, ChunkedStatus::NeedMore) << k;
    EXPECT_EQ(o.consumed, k);
  }
}

TEST(ChunkedDecoder, MalformedBodiesAreErrorsWhereverTheySplit) {
  for (const std::string bad : {
           "zz\r\nhello\r\n0\r\n\r\n",       // size not hex
           "\r\n",                           // no size at all
           "-5\r\nhello\r\n0\r\n\r\n",       // sign
           "0x5\r\nhello\r\n0\r\n\r\n",      // C prefix
           "5\nhello\r\n0\r\n\r\n",          // lone LF after the size
           "5\rhello\r\n0\r\n\r\n",          // bare CR
           "5 \r\nhello\r\n0\r\n\r\n",       // whitespace without an extension
           "5 x\r\nhello\r\n0\r\n\r\n",      // junk after the size
           "5;a\x01\r\nhello\r\n0\r\n\r\n",  // control byte in an extension
           "5\r\nhelloXX0\r\n\r\n",          // no CRLF after the data
           "5\r\nhello\n0\r\n\r\n",          // LF only after the data
           "0\r\nBad Trailer: x\r\n\r\n",    // space in a trailer name
           "0\r\nNoColon\r\n\r\n",           // trailer without colon
           "0\r\n: v\r\n\r\n",               // empty trailer name
           "0\r\n x: folded\r\n\r\n",        // obs-fold
           "0\r\nX: a\rb\r\n\r\n",           // bare CR in a trailer value
           "0\r\n\n",                        // lone LF ending the body
           "0\r\n\rX",                       // CR not followed by LF
       }) {
    EXPECT_EQ(feedWhole(bad).status, ChunkedStatus::Error) << bad;
    for (std::size_t k = 0; k <= bad.size(); ++k) {
      const ChunkedStatus s = feedInPieces(bad, {k}).status;
      EXPECT_EQ(s, ChunkedStatus::Error) << bad << " split at " << k;
    }
  }
}

TEST(ChunkedDecoder, ChunkSizesUpTo64BitsAreAcceptedAndLargerOnesRejected) {
  ChunkedDecoder d;
  ChunkedProgress p = d.feed("ffffffffffffffff\r\nabc");
  EXPECT_EQ(p.status, ChunkedStatus::NeedMore);  // 2^64-1 bytes of data: still reading
  EXPECT_EQ(d.dataBytes(), 3U);
  EXPECT_EQ(feedWhole("00000000000000000000000010\r\n").status, ChunkedStatus::NeedMore);
  EXPECT_EQ(feedWhole("10000000000000000\r\n").status, ChunkedStatus::Error);
  EXPECT_EQ(feedWhole("fffffffffffffffff\r\n").status, ChunkedStatus::Error);
}

TEST(ChunkedDecoder, SizeLineAndTrailerLimits) {
  const ChunkedLimits limits{16, 32};
  EXPECT_EQ(feedWhole("5;" + std::string(12, 'e') + "\r\nhello\r\n0\r\n\r\n", limits).status,
            ChunkedStatus::Done);  // 16 bytes with the CRLF
  EXPECT_EQ(feedWhole("5;" + std::string(13, 'e') + "\r\n", limits).status, ChunkedStatus::Error);
  EXPECT_EQ(feedWhole(std::string(20, '0') + "\r\n", limits).status, ChunkedStatus::Error);
  EXPECT_EQ(feedWhole("0\r\nX: " + std::string(25, 'v') + "\r\n\r\n", limits).status,
            ChunkedStatus::Done);  // 32 trailer bytes with the final CRLF
  EXPECT_EQ(feedWhole("0\r\nX: " + std::string(26, 'v') + "\r\n\r\n", limits).status,
            ChunkedStatus::Error);
  // An endless trailer is cut off at the limit, not read forever.
  EXPECT_EQ(feedWhole("0\r\n" + std::string(100, 'x'), limits).status, ChunkedStatus::Error);
}

TEST(ChunkedDecoder, DoneAndErrorAreStickyUntilReset) {
  ChunkedDecoder d;
  EXPECT_EQ(d.feed("0\r\n\r\n").status, ChunkedStatus::Done);
  ChunkedProgress again = d.feed("5\r\nhello\r\n");
  EXPECT_EQ(again.status, ChunkedStatus::Done);
  EXPECT_EQ(again.consumed, 0U);
  d.reset();
  EXPECT_EQ(d.feed("x").status, ChunkedStatus::Error);
  EXPECT_EQ(d.feed("0\r\n\r\n").status, ChunkedStatus::Error);
  d.reset();
  EXPECT_EQ(d.feed("0\r\n\r\n").status, ChunkedStatus::Done);
  EXPECT_EQ(d.dataBytes(), 0U);
}

}  // namespace
}  // namespace learnhttpd::http
