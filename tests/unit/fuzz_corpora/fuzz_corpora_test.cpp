// SPDX-License-Identifier: MIT
// Replays the regression corpora of fuzz_target_decode, fuzz_range, fuzz_config_loader and
// fuzz_config_files
// through the same invariants the fuzz targets check, so every compiler (not only clang with
// libFuzzer) guards against old findings.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include "config_files_invariants.hpp"
#include "config_invariants.hpp"
#include "request_path_invariants.hpp"

namespace learnhttpd::fuzz {
namespace {

int replay(const std::string& dir, const std::function<const char*(std::string_view)>& check) {
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().filename().string().starts_with(".")) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    const char* violation = check(bytes.str());
    EXPECT_EQ(violation, nullptr) << entry.path().filename() << ": " << violation;
    ++files;
  }
  return files;
}

TEST(FuzzCorpora, TargetDecoding) {
  EXPECT_GE(replay(LH_FUZZ_DIR "/corpus_target", checkTarget), 5);
}

TEST(FuzzCorpora, Ranges) {
  EXPECT_GE(replay(LH_FUZZ_DIR "/corpus_range", checkRangeBytes), 5);
}

TEST(FuzzCorpora, ConfigLoader) {
  EXPECT_GE(replay(LH_FUZZ_DIR "/corpus_config", checkConfigText), 5);
}

TEST(FuzzCorpora, ConfigFiles) {
  EXPECT_GE(replay(LH_FUZZ_DIR "/corpus_config_files", checkConfigFiles), 5);
}

TEST(FuzzInvariants, CatchWhatTheyShould) {
  EXPECT_EQ(checkRange("bytes=2-5", 10), nullptr);
  EXPECT_EQ(checkTarget("/a/b"), nullptr);
  EXPECT_EQ(checkConfigText("workers: 2\n"), nullptr);
  EXPECT_EQ(checkConfigText("workers: two\n"), nullptr);  // a ConfigError is the contract
  EXPECT_EQ(checkConfigFiles("include: a.yaml\n%%\nworkers: two\n"), nullptr);
}

}  // namespace
}  // namespace learnhttpd::fuzz
