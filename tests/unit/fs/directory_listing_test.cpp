// SPDX-License-Identifier: MIT
// fs::listDirectory with both resolvers: what a listing may show (regular files, directories,
// symlinks that stay under the root) and what it never shows (hidden names, symlinks that
// leave the root or lead nowhere, other kinds of files), and its bound.

#include "fs/directory_listing.hpp"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace learnhttpd::fs::listing_test {
namespace {

namespace stdfs = std::filesystem;

class DirectoryListingTest : public ::testing::TestWithParam<Resolver> {
 protected:
  void SetUp() override {
    std::string tmpl = (stdfs::temp_directory_path() / "lh-list-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    base_ = tmpl;
    stdfs::create_directories(base_ / "root" / "d" / "sub");
    std::ofstream(base_ / "secret.txt") << "secret";
    std::ofstream(base_ / "root" / "top.txt") << "top";
    std::ofstream(base_ / "root" / "d" / "file.txt") << "12345";
    std::ofstream(base_ / "root" / "d" / ".env") << "x";
    stdfs::create_symlink(base_ / "secret.txt", base_ / "root" / "d" / "out-abs");
    stdfs::create_symlink("../../secret.txt", base_ / "root" / "d" / "out-rel");
    stdfs::create_symlink("../top.txt", base_ / "root" / "d" / "in");
    stdfs::create_symlink("sub", base_ / "root" / "d" / "in-dir");
    stdfs::create_symlink("missing", base_ / "root" / "d" / "dangling");
    ASSERT_EQ(::mkfifo((base_ / "root" / "d" / "fifo").c_str(), 0644), 0);
    std::string error;
    root_ = DocumentRoot::open((base_ / "root").string(), error, GetParam());
    ASSERT_TRUE(root_.valid()) << error;
  }
  void TearDown() override { stdfs::remove_all(base_); }

  static std::vector<std::string> names(const DirectoryListing& listing) {
    std::vector<std::string> out;
    for (const DirectoryEntry& e : listing.entries) out.push_back(e.name);
    std::sort(out.begin(), out.end());
    return out;
  }

  stdfs::path base_;
  DocumentRoot root_;
};

TEST_P(DirectoryListingTest, ShowsWhatARequestWouldServeAndNothingElse) {
  const DirectoryListing listing = listDirectory(root_, "/d/", 100);
  ASSERT_EQ(listing.outcome, Outcome::File);
  EXPECT_EQ(names(listing), (std::vector<std::string>{"file.txt", "in", "in-dir", "sub"}));
  for (const DirectoryEntry& e : listing.entries) {
    if (e.name == "file.txt") {
      EXPECT_EQ(e.size, 5U);
    } else if (e.name == "in") {
      EXPECT_EQ(e.size, 3U) << "a symlink shows its target";
    } else {
      EXPECT_TRUE(e.is_directory) << e.name;
    }
  }
  EXPECT_FALSE(listing.truncated);
  EXPECT_TRUE(S_ISDIR(listing.st.st_mode));
}

TEST_P(DirectoryListingTest, TheRootMissingAndNotADirectory) {
  EXPECT_EQ(names(listDirectory(root_, "/", 100)), (std::vector<std::string>{"d", "top.txt"}));
  EXPECT_EQ(listDirectory(root_, "/nope/", 100).outcome, Outcome::NotFound);
  EXPECT_EQ(listDirectory(root_, "/top.txt/", 100).outcome, Outcome::NotFound);
  EXPECT_EQ(listDirectory(root_, "/d/out-rel/", 100).outcome, Outcome::Forbidden);
}

TEST_P(DirectoryListingTest, StopsAtTheBound) {
  const DirectoryListing listing = listDirectory(root_, "/d/", 2);
  EXPECT_EQ(listing.entries.size(), 2U);
  EXPECT_TRUE(listing.truncated);
  EXPECT_FALSE(listDirectory(root_, "/d/", 4).truncated) << "exactly at the bound: complete";
}

INSTANTIATE_TEST_SUITE_P(BothResolvers, DirectoryListingTest,
                         ::testing::Values(Resolver::Openat2, Resolver::Walk));

}  // namespace
}  // namespace learnhttpd::fs::listing_test
