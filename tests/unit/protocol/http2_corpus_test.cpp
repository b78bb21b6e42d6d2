// SPDX-License-Identifier: MIT
// Replays the Http2Session fuzzer's regression corpus (tests/fuzz/corpus_http2: its seeds are
// the attacks of the defences' tests) through the same invariants the fuzz target checks, on
// any compiler.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "http2_session_invariants.hpp"

namespace learnhttpd::fuzz {
namespace {

TEST(Http2FuzzCorpus, EveryInputKeepsTheInvariants) {
  SessionWorld world;
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(LH_HTTP2_CORPUS_DIR)) {
    if (!entry.is_regular_file() || entry.path().filename().string().starts_with(".")) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    const char* violation = checkHttp2Bytes(world.context, bytes.str());
    EXPECT_EQ(violation, nullptr) << entry.path().filename() << ": " << violation;
    ++files;
  }
  EXPECT_GE(files, 20);
}

// The driver and the frame check see what a client sees: the answers' bodies by stream.
TEST(Http2FuzzCorpus, TheDriverAnswersAndTheCheckReadsIt) {
  SessionWorld world;
  std::string input(protocol::kHttp2Preface);
  input.append("\0\0\0\x04\0\0\0\0\0", 9);                                        // SETTINGS
  input.append("\0\0\x0d\x01\x05\0\0\0\x01\x82\x86\x44\x06/a.txt\x41\x01x", 22);  // GET
  Http2Run run = runHttp2Session(world.context, input, Http2Feeding{});
  std::map<std::int32_t, std::string> bodies;
  EXPECT_EQ(checkFrames(run.output, bodies), nullptr);
  EXPECT_EQ(bodies[1], "hello");
  // And the check does look: a frame type no server sends is caught.
  EXPECT_NE(
      checkFrames(run.output + std::string("\0\0\x05\x02\0\0\0\0\x01\0\0\0\0\x10", 14), bodies),
      nullptr);
}

}  // namespace
}  // namespace learnhttpd::fuzz
