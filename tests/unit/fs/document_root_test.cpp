// SPDX-License-Identifier: MIT
// DocumentRoot against a real directory tree: files, directories, index files, symlinks in and
// out of the root, permissions. Every case runs with both resolvers (openat2, and the walk used
// where openat2 is refused), and a differential test checks that they agree path by path.

#include "fs/document_root.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fs/open_beneath.hpp"

namespace learnhttpd::fs {
namespace {

namespace stdfs = std::filesystem;

class DocumentRootTest : public ::testing::TestWithParam<Resolver> {
 protected:
  void SetUp() override {
    std::string tmpl = (stdfs::temp_directory_path() / "lh-fs-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    base_ = tmpl;
    root_dir_ = base_ / "root";
    stdfs::create_directories(root_dir_ / "dir" / "sub");
    stdfs::create_directories(root_dir_ / "noindex");
    write(root_dir_ / "a.txt", "hello");
    write(root_dir_ / "text..txt", "dots");
    write(root_dir_ / "space in name.txt", "space");
    write(root_dir_ / "dir" / "index.html", "<p>index</p>");
    write(base_ / "secret.txt", "outside");
    stdfs::create_symlink(base_ / "secret.txt", root_dir_ / "abs-escape");
    stdfs::create_symlink("../secret.txt", root_dir_ / "rel-escape");
    stdfs::create_symlink("a.txt", root_dir_ / "inside-link");
    stdfs::create_symlink("dir/sub", root_dir_ / "dir-link");
    stdfs::create_symlink("../a.txt", root_dir_ / "dir" / "up-link");
    stdfs::create_symlink("inside-link", root_dir_ / "chain-link");
    stdfs::create_symlink("loop-b", root_dir_ / "loop-a");
    stdfs::create_symlink("loop-a", root_dir_ / "loop-b");
    stdfs::create_symlink("nothing-here", root_dir_ / "dangling");
    stdfs::create_symlink("../../secret.txt", root_dir_ / "dir" / "deep-escape");
    stdfs::create_symlink("..", root_dir_ / "parent-link");
    stdfs::create_symlink("/proc/self/root/etc/passwd", root_dir_ / "magic-link");
    write(root_dir_ / "dir" / "sub" / "deep.txt", "deep");
    std::string error;
    root_ = DocumentRoot::open(root_dir_.string(), error, GetParam());
    ASSERT_TRUE(root_.valid()) << error;
  }
  void TearDown() override { stdfs::remove_all(base_); }

  static void write(const stdfs::path& p, const std::string& text) { std::ofstream(p) << text; }

  Resolved resolve(const std::string& path, bool slash = false) {
    return root_.resolve(path, slash, "index.html");
  }

  stdfs::path base_;
  stdfs::path root_dir_;
  DocumentRoot root_;
};

TEST_P(DocumentRootTest, ServesRegularFileWithItsSize) {
  Resolved r = resolve("/a.txt");
  ASSERT_EQ(r.outcome, Outcome::File);
  EXPECT_TRUE(r.fd);
  EXPECT_EQ(r.st.st_size, 5);
  EXPECT_FALSE(r.is_index);
}

TEST_P(DocumentRootTest, NamesWithDotsAndSpacesAreOrdinaryFiles) {
  EXPECT_EQ(resolve("/text..txt").outcome, Outcome::File);
  EXPECT_EQ(resolve("/space in name.txt").outcome, Outcome::File);
}

TEST_P(DocumentRootTest, MissingFileIsNotFound) {
  EXPECT_EQ(resolve("/nope.txt").outcome, Outcome::NotFound);
  EXPECT_EQ(resolve("/nope/deeper.txt").outcome, Outcome::NotFound);
}

TEST_P(DocumentRootTest, FileNamedAsDirectoryIsNotFound) {
  EXPECT_EQ(resolve("/a.txt/", true).outcome, Outcome::NotFound);
  EXPECT_EQ(resolve("/a.txt/x").outcome, Outcome::NotFound);
}

TEST_P(DocumentRootTest, DirectoryWithoutSlashAsksForRedirect) {
  EXPECT_EQ(resolve("/dir").outcome, Outcome::AddSlash);
}

TEST_P(DocumentRootTest, DirectoryWithSlashServesIndex) {
  Resolved r = resolve("/dir/", true);
  ASSERT_EQ(r.outcome, Outcome::File);
  EXPECT_TRUE(r.is_index);
  EXPECT_EQ(r.st.st_size, 12);
}

TEST_P(DocumentRootTest, RootItselfServesItsIndexOrReportsNoIndex) {
  EXPECT_EQ(resolve("/", true).outcome, Outcome::NoIndex);
  write(root_dir_ / "index.html", "root");
  EXPECT_EQ(resolve("/", true).outcome, Outcome::File);
}

TEST_P(DocumentRootTest, DirectoryWithoutIndexIsNoIndex) {
  EXPECT_EQ(resolve("/noindex/", true).outcome, Outcome::NoIndex);
}

TEST_P(DocumentRootTest, SymlinksLeavingTheRootAreForbidden) {
  EXPECT_EQ(resolve("/abs-escape").outcome, Outcome::Forbidden);
  EXPECT_EQ(resolve("/rel-escape").outcome, Outcome::Forbidden);
}

TEST_P(DocumentRootTest, SymlinkInsideTheRootIsFollowed) {
  Resolved r = resolve("/inside-link");
  ASSERT_EQ(r.outcome, Outcome::File);
  EXPECT_EQ(r.st.st_size, 5);
}

TEST_P(DocumentRootTest, DotDotCannotClimbEvenIfACallerForgetsToNormalise) {
  Resolved r = resolve("/../secret.txt");
  EXPECT_NE(r.outcome, Outcome::File);
  EXPECT_NE(resolve("/dir/../../secret.txt").outcome, Outcome::File);
}

TEST_P(DocumentRootTest, NonRegularFileIsForbidden) {
  ASSERT_EQ(::mkfifo((root_dir_ / "pipe").c_str(), 0644), 0);
  EXPECT_EQ(resolve("/pipe").outcome, Outcome::Forbidden);
}

TEST_P(DocumentRootTest, UnreadableFileIsForbiddenForUnprivilegedUsers) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads every file";
  write(root_dir_ / "locked.txt", "x");
  stdfs::permissions(root_dir_ / "locked.txt", stdfs::perms::none);
  EXPECT_EQ(resolve("/locked.txt").outcome, Outcome::Forbidden);
}

TEST_P(DocumentRootTest, SymlinkChainsAndDirectorySymlinksInsideTheRootAreFollowed) {
  EXPECT_EQ(resolve("/chain-link").outcome, Outcome::File);
  EXPECT_EQ(resolve("/dir/up-link").outcome, Outcome::File);  // ".." that stays inside
  Resolved deep = resolve("/dir-link/deep.txt");
  ASSERT_EQ(deep.outcome, Outcome::File);
  EXPECT_EQ(deep.st.st_size, 4);
  EXPECT_EQ(resolve("/dir-link").outcome, Outcome::AddSlash);
  EXPECT_EQ(resolve("/dir-link/", true).outcome, Outcome::NoIndex);
}

TEST_P(DocumentRootTest, SymlinksThatClimbOutOrLoopAreForbidden) {
  EXPECT_EQ(resolve("/dir/deep-escape").outcome, Outcome::Forbidden);
  EXPECT_EQ(resolve("/parent-link/secret.txt").outcome, Outcome::Forbidden);
  EXPECT_EQ(resolve("/magic-link").outcome, Outcome::Forbidden);
  EXPECT_EQ(resolve("/loop-a").outcome, Outcome::Forbidden);
  EXPECT_EQ(resolve("/dangling").outcome, Outcome::NotFound);
}

TEST_P(DocumentRootTest, IndexIsResolvedBeneathItsDirectory) {
  // An index that is a symlink may not leave the directory it indexes.
  stdfs::create_symlink("../a.txt", root_dir_ / "noindex" / "index.html");
  EXPECT_EQ(resolve("/noindex/", true).outcome, Outcome::Forbidden);
}

INSTANTIATE_TEST_SUITE_P(BothResolvers, DocumentRootTest,
                         ::testing::Values(Resolver::Openat2, Resolver::Walk),
                         [](const ::testing::TestParamInfo<Resolver>& param_info) {
                           return param_info.param == Resolver::Openat2 ? "Openat2" : "Walk";
                         });

// The walk must give what openat2 gives: same file (inode) or same errno, for every path.
TEST(OpenBeneathWalk, AgreesWithOpenat2OnEveryPath) {
  std::string tmpl = (stdfs::temp_directory_path() / "lh-walk-XXXXXX").string();
  ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
  const stdfs::path base = tmpl;
  const stdfs::path root = base / "root";
  stdfs::create_directories(root / "d" / "e");
  std::ofstream(base / "out.txt") << "out";
  std::ofstream(root / "f.txt") << "f";
  std::ofstream(root / "d" / "e" / "g.txt") << "g";
  stdfs::create_symlink("d/e", root / "de");
  stdfs::create_symlink("../f.txt", root / "d" / "up");
  stdfs::create_symlink("../../out.txt", root / "d" / "out");
  stdfs::create_symlink((base / "out.txt").string(), root / "abs");
  stdfs::create_symlink("x1", root / "x2");
  stdfs::create_symlink("x2", root / "x1");
  stdfs::create_symlink("f.txt/", root / "slash");
  const std::vector<std::string> paths = {".",
                                          "f.txt",
                                          "f.txt/",
                                          "d",
                                          "d/",
                                          "d/e/g.txt",
                                          "de/g.txt",
                                          "de/../f.txt",
                                          "de/..",
                                          "d/up",
                                          "d/out",
                                          "abs",
                                          "x1",
                                          "slash",
                                          "missing",
                                          "d/missing/x",
                                          "f.txt/x",
                                          "..",
                                          "../root/f.txt",
                                          "d/../..",
                                          "d/../f.txt",
                                          "d//e///g.txt",
                                          "./d/./e/g.txt",
                                          "de/",
                                          "de",
                                          "d/e/../../f.txt",
                                          "d/e/../../../out.txt",
                                          "de/g.txt/"};
  base::UniqueFd dir(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(dir);
  std::string why;
  if (probeOpenat2(dir.get(), why) != Resolver::Openat2) GTEST_SKIP() << why;
  for (const std::string& p : paths) {
    errno = 0;
    base::UniqueFd kernel(openBeneath(dir.get(), p.c_str(), Resolver::Openat2));
    const int kernel_errno = kernel ? 0 : errno;
    errno = 0;
    base::UniqueFd walk(openBeneathWalk(dir.get(), p));
    const int walk_errno = walk ? 0 : errno;
    EXPECT_EQ(walk_errno, kernel_errno) << p;
    if (kernel && walk) {
      struct stat a {
      }, b{};
      ASSERT_EQ(::fstat(kernel.get(), &a), 0);
      ASSERT_EQ(::fstat(walk.get(), &b), 0);
      EXPECT_EQ(a.st_ino, b.st_ino) << p;
    }
  }
  stdfs::remove_all(base);
}

TEST(DocumentRootOpen, MissingRootIsAnErrorThatNamesThePath) {
  std::string error;
  DocumentRoot root = DocumentRoot::open("/nonexistent/learnhttpd-root", error);
  EXPECT_FALSE(root.valid());
  EXPECT_NE(error.find("/nonexistent/learnhttpd-root"), std::string::npos);
  EXPECT_NE(error.find("No such file"), std::string::npos);
}

TEST(DocumentRootOpen, UsesOpenat2WhereTheKernelHasIt) {
  std::string error;
  DocumentRoot root = DocumentRoot::open(stdfs::temp_directory_path().string(), error);
  ASSERT_TRUE(root.valid()) << error;
  EXPECT_EQ(root.resolver(), Resolver::Openat2);  // this kernel (>= 5.6) without seccomp
  EXPECT_TRUE(root.notice().empty());
}

}  // namespace
}  // namespace learnhttpd::fs
