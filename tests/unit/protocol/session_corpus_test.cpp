// SPDX-License-Identifier: MIT
// Replays the Http1Session fuzzer's regression corpus (tests/fuzz/corpus_session) through the
// same invariants the fuzz target checks, on any compiler.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "session_invariants.hpp"

namespace learnhttpd::fuzz {
namespace {

TEST(SessionFuzzCorpus, EveryInputKeepsTheInvariants) {
  SessionWorld world;
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(LH_SESSION_CORPUS_DIR)) {
    if (!entry.is_regular_file() || entry.path().filename().string().starts_with(".")) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    const char* violation = checkSessionBytes(world.context, bytes.str());
    EXPECT_EQ(violation, nullptr) << entry.path().filename() << ": " << violation;
    ++files;
  }
  EXPECT_GE(files, 5);
}

}  // namespace
}  // namespace learnhttpd::fuzz
