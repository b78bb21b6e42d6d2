// SPDX-License-Identifier: MIT
// OpenFileCache against a real directory tree and the real inotify: hits, every kind of change
// being seen after sync(), what is never cached, and the LRU bounds.

#include "fs/open_file_cache.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace learnhttpd::fs {
namespace {

namespace stdfs = std::filesystem;

class OpenFileCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (stdfs::temp_directory_path() / "lh-ofc-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    base_ = tmpl;
    root_ = base_ / "root";
    stdfs::create_directories(root_ / "dir" / "sub");
    stdfs::create_directories(base_ / "outside");
    write(root_ / "a.txt", "hello");
    write(root_ / "b.txt", "bbbbb");
    write(root_ / "c.txt", "ccccc");
    write(root_ / "dir" / "index.html", "<p>index</p>");
    write(root_ / "dir" / "sub" / "deep.txt", "deep");
    write(base_ / "outside" / "deep.txt", "SECRET");
    root_fd_ = ::open(root_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    ASSERT_GE(root_fd_, 0);
  }
  void TearDown() override {
    cache_.reset();
    ::close(root_fd_);
    stdfs::remove_all(base_);
  }

  static void write(const stdfs::path& p, const std::string& content) {
    std::ofstream(p, std::ios::binary | std::ios::trunc) << content;
  }

  OpenFileCache& make(OpenFileCacheLimits limits = {}) {
    std::string error;
    cache_ = OpenFileCache::create(limits, error);
    EXPECT_TRUE(cache_) << error;
    return *cache_;
  }

  std::shared_ptr<const CachedFile> get(const std::string& path, bool slash = false) {
    cache_->sync();
    return cache_->lookup(root_fd_, path, slash, "index.html");
  }

  stdfs::path base_, root_;
  int root_fd_ = -1;
  std::unique_ptr<OpenFileCache> cache_;
};

// One cache serves every site's root: the same path under two roots is two files, and a change
// under one root drops its entries only -- unless the roots share the directory that changed.
TEST_F(OpenFileCacheTest, SeveralRootsShareOneCacheAndStayExact) {
  make();
  stdfs::create_directories(base_ / "other");
  write(base_ / "other" / "a.txt", "other root");
  write(root_ / "dir" / "a.txt", "nested root");
  const int other = ::open((base_ / "other").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  const int nested = ::open((root_ / "dir").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(other, 0);
  ASSERT_GE(nested, 0);
  const auto at = [&](int root, const std::string& path) {
    cache_->sync();
    auto file = cache_->lookup(root, path, false, "index.html");
    return file ? file->body : std::string("<uncached>");
  };
  EXPECT_EQ(at(root_fd_, "/a.txt"), "hello");
  EXPECT_EQ(at(other, "/a.txt"), "other root");
  EXPECT_EQ(at(nested, "/a.txt"), "nested root");
  EXPECT_EQ(cache_->entries(), 3U);
  write(base_ / "other" / "a.txt", "other root, changed");
  EXPECT_EQ(at(other, "/a.txt"), "other root, changed");
  EXPECT_EQ(at(root_fd_, "/a.txt"), "hello");
  // /dir/a.txt under the first root is /a.txt under the nested one: one inode, two entries.
  EXPECT_EQ(at(root_fd_, "/dir/a.txt"), "nested root");
  write(root_ / "dir" / "a.txt", "both see it");
  EXPECT_EQ(at(nested, "/a.txt"), "both see it");
  EXPECT_EQ(at(root_fd_, "/dir/a.txt"), "both see it");
  cache_.reset();
  ::close(other);
  ::close(nested);
}

TEST_F(OpenFileCacheTest, ZeroEntriesMeansOff) {
  std::string error;
  OpenFileCacheLimits off;
  off.entries = 0;
  EXPECT_EQ(OpenFileCache::create(off, error), nullptr);
  EXPECT_TRUE(error.empty());
}

TEST_F(OpenFileCacheTest, SmallFileIsKeptAsBytesAndHitsReturnTheSameEntry) {
  make();
  auto first = get("/a.txt");
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->has_body);
  EXPECT_EQ(first->body, "hello");
  EXPECT_FALSE(first->fd);  // small files cost no descriptor
  EXPECT_EQ(first->st.st_size, 5);
  EXPECT_EQ(get("/a.txt"), first);
  EXPECT_EQ(cache_->entries(), 1u);
}

TEST_F(OpenFileCacheTest, LargeFileKeepsItsDescriptorNotItsBytes) {
  write(root_ / "big.bin", std::string(20000, 'x'));
  make();
  auto big = get("/big.bin");
  ASSERT_TRUE(big);
  EXPECT_FALSE(big->has_body);
  EXPECT_TRUE(big->fd);
  EXPECT_EQ(big->st.st_size, 20000);
}

TEST_F(OpenFileCacheTest, DirectoryIndex) {
  make();
  auto index = get("/dir/", true);
  ASSERT_TRUE(index);
  EXPECT_TRUE(index->is_index);
  EXPECT_EQ(index->body, "<p>index</p>");
  EXPECT_EQ(get("/dir/", true), index);
}

TEST_F(OpenFileCacheTest, WithoutSyncAHitIsServedFromMemory) {
  make();
  auto first = get("/a.txt");
  write(root_ / "a.txt", "HELLO");
  // The contract: changes are applied by sync(); lookup() alone costs no system call.
  EXPECT_EQ(cache_->lookup(root_fd_, "/a.txt", false, "index.html"), first);
  EXPECT_EQ(get("/a.txt")->body, "HELLO");
}

TEST_F(OpenFileCacheTest, InPlaceWriteIsSeen) {
  make();
  get("/dir/sub/deep.txt");
  {
    std::fstream f(root_ / "dir" / "sub" / "deep.txt", std::ios::in | std::ios::out);
    f << "DE";  // same size, no truncation
  }
  EXPECT_EQ(get("/dir/sub/deep.txt")->body, "DEep");
}

TEST_F(OpenFileCacheTest, TruncationIsSeen) {
  make();
  get("/a.txt");
  ASSERT_EQ(::truncate((root_ / "a.txt").c_str(), 2), 0);
  EXPECT_EQ(get("/a.txt")->body, "he");
}

TEST_F(OpenFileCacheTest, RenameOverIsSeen) {
  make();
  get("/a.txt");
  write(root_ / "a.new", "renamed");
  stdfs::rename(root_ / "a.new", root_ / "a.txt");
  EXPECT_EQ(get("/a.txt")->body, "renamed");
}

TEST_F(OpenFileCacheTest, DeleteIsSeen) {
  make();
  ASSERT_TRUE(get("/a.txt"));
  stdfs::remove(root_ / "a.txt");
  EXPECT_EQ(get("/a.txt"), nullptr);
  EXPECT_EQ(cache_->entries(), 0u);
}

TEST_F(OpenFileCacheTest, PermissionChangeIsSeen) {
  make();
  auto before = get("/a.txt");
  ASSERT_EQ(::chmod((root_ / "a.txt").c_str(), 0600), 0);
  auto after = get("/a.txt");
  ASSERT_TRUE(after);
  EXPECT_NE(after, before);
  EXPECT_EQ(after->st.st_mode & 07777, 0600u);
}

TEST_F(OpenFileCacheTest, DirectoryPermissionChangeDropsItsFiles) {
  make();
  auto before = get("/dir/sub/deep.txt");
  ASSERT_EQ(::chmod((root_ / "dir").c_str(), 0700), 0);
  EXPECT_NE(get("/dir/sub/deep.txt"), before);
}

TEST_F(OpenFileCacheTest, DirectoryRenameIsSeen) {
  make();
  ASSERT_TRUE(get("/dir/sub/deep.txt"));
  stdfs::rename(root_ / "dir", root_ / "moved");
  EXPECT_EQ(get("/dir/sub/deep.txt"), nullptr);
  EXPECT_EQ(get("/moved/sub/deep.txt")->body, "deep");
}

TEST_F(OpenFileCacheTest, DirectorySwappedForASymlinkOutsideTheRootIsNeverServed) {
  make();
  ASSERT_EQ(get("/dir/sub/deep.txt")->body, "deep");
  stdfs::rename(root_ / "dir" / "sub", base_ / "old-sub");
  stdfs::create_symlink(base_ / "outside", root_ / "dir" / "sub");
  EXPECT_EQ(get("/dir/sub/deep.txt"), nullptr);  // the caller's own resolve says 403
}

TEST_F(OpenFileCacheTest, PathsThroughSymlinksAreNeverCached) {
  stdfs::create_symlink("a.txt", root_ / "link.txt");
  stdfs::create_symlink("dir", root_ / "dirlink");
  make();
  EXPECT_EQ(get("/link.txt"), nullptr);
  EXPECT_EQ(get("/dirlink/sub/deep.txt"), nullptr);
  EXPECT_EQ(get("/missing.txt"), nullptr);
  EXPECT_EQ(get("/dir"), nullptr);  // a directory named without its slash
  EXPECT_EQ(cache_->entries(), 0u);
  EXPECT_EQ(cache_->watches(), 0u);
}

TEST_F(OpenFileCacheTest, NewFileWhereNoneWasIsFound) {
  make();
  EXPECT_EQ(get("/later.txt"), nullptr);
  write(root_ / "later.txt", "now");
  EXPECT_EQ(get("/later.txt")->body, "now");
}

TEST_F(OpenFileCacheTest, UnrelatedChangesInADirectoryKeepOtherEntries) {
  make();
  auto a = get("/a.txt");
  write(root_ / "unrelated.tmp", "x");
  stdfs::remove(root_ / "unrelated.tmp");
  EXPECT_EQ(get("/a.txt"), a);
}

TEST_F(OpenFileCacheTest, EntriesLimitEvictsTheLeastRecentlyUsed) {
  OpenFileCacheLimits limits;
  limits.entries = 2;
  make(limits);
  auto a = get("/a.txt");
  auto b = get("/b.txt");
  EXPECT_EQ(get("/a.txt"), a);  // a is now the most recent
  auto c = get("/c.txt");
  EXPECT_EQ(cache_->entries(), 2u);
  EXPECT_EQ(get("/a.txt"), a);
  EXPECT_EQ(get("/c.txt"), c);
  EXPECT_NE(get("/b.txt"), b);  // evicted, filled again
  EXPECT_EQ(b->body, "bbbbb");  // an evicted entry stays valid for whoever still holds it
}

TEST_F(OpenFileCacheTest, ByteLimitEvictsAndOversizedFilesAreServedNotKept) {
  OpenFileCacheLimits limits;
  limits.max_bytes = 2 * (256 + 16) + 100;  // room for two small entries, not three
  make(limits);
  get("/a.txt");
  get("/b.txt");
  get("/c.txt");
  EXPECT_EQ(cache_->entries(), 2u);
  EXPECT_LE(cache_->bytes(), limits.max_bytes);
  write(root_ / "huge.txt", std::string(4000, 'h'));
  auto huge = get("/huge.txt");
  ASSERT_TRUE(huge);
  EXPECT_EQ(huge->body.size(), 4000u);
  EXPECT_EQ(cache_->entries(), 2u);
}

TEST_F(OpenFileCacheTest, EvictionReleasesWatches) {
  OpenFileCacheLimits limits;
  limits.entries = 1;
  make(limits);
  get("/dir/sub/deep.txt");
  EXPECT_EQ(cache_->watches(), 4u);  // root, dir, dir/sub, the file
  get("/a.txt");
  EXPECT_EQ(cache_->watches(), 2u);  // root, a.txt
}

// The thread-pool model's threads share one cache: lookups and syncs from several threads while
// a file is replaced over and over only ever see whole versions (run under TSan in CI).
TEST_F(OpenFileCacheTest, ThreadsShareOneCache) {
  make();
  std::atomic<bool> done{false};
  std::atomic<int> bad{0};
  std::vector<std::thread> readers;
  readers.reserve(4);
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      for (int i = 0; i < 20000 && !done.load(); ++i) {
        cache_->sync();
        auto a = cache_->lookup(root_fd_, "/a.txt", false, "index.html");
        auto deep = cache_->lookup(root_fd_, "/dir/sub/deep.txt", false, "index.html");
        if (a && a->body != "hello" && a->body != "HELLO") bad.fetch_add(1);
        if (!deep || deep->body != "deep") bad.fetch_add(1);
      }
    });
  }
  for (int i = 0; i < 200; ++i) {
    write(root_ / "a.new", i % 2 == 0 ? "HELLO" : "hello");
    stdfs::rename(root_ / "a.new", root_ / "a.txt");
  }
  done.store(true);
  for (auto& reader : readers) reader.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(get("/a.txt")->body, "hello");  // the last version written (i = 199)
}

}  // namespace
}  // namespace learnhttpd::fs
