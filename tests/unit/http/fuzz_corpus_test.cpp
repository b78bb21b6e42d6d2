// SPDX-License-Identifier: MIT
// Replays the fuzzer's regression corpus through the same invariants the fuzz target checks,
// so that every compiler (not only clang with libFuzzer) guards against old crashes.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "parser_invariants.hpp"

namespace learnhttpd::fuzz {
namespace {

TEST(FuzzRegressionCorpus, EveryInputKeepsTheInvariants) {
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(LH_FUZZ_CORPUS_DIR)) {
    if (!entry.is_regular_file() || entry.path().filename().string().starts_with(".")) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    const char* violation = checkAll(bytes.str());
    EXPECT_EQ(violation, nullptr) << entry.path().filename() << ": " << violation;
    ++files;
  }
  EXPECT_GE(files, 5);
}

TEST(FuzzInvariants, HoldForOrdinaryInputs) {
  EXPECT_EQ(checkDecodedPath("/a/b"), nullptr);
  EXPECT_EQ(checkDecodedPath("/../x"), nullptr);  // rejected, and nothing left in the output
  EXPECT_EQ(checkParse("GET /a/./b HTTP/1.1\r\nHost: h\r\n\r\n", http::ParseLimits{}), nullptr);
}

}  // namespace
}  // namespace learnhttpd::fuzz
