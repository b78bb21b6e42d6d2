// DocumentRoot against a real directory tree: files, directories, index files, symlinks in and
// out of the root, permissions.

#include "fs/document_root.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace learnhttpd::fs {
namespace {

namespace stdfs = std::filesystem;

class DocumentRootTest : public ::testing::Test {
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
    std::string error;
    root_ = DocumentRoot::open(root_dir_.string(), error);
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

TEST_F(DocumentRootTest, ServesRegularFileWithItsSize) {
  Resolved r = resolve("/a.txt");
  ASSERT_EQ(r.outcome, Outcome::File);
  EXPECT_TRUE(r.fd);
  EXPECT_EQ(r.st.st_size, 5);
  EXPECT_FALSE(r.is_index);
}

TEST_F(DocumentRootTest, NamesWithDotsAndSpacesAreOrdinaryFiles) {
  EXPECT_EQ(resolve("/text..txt").outcome, Outcome::File);
  EXPECT_EQ(resolve("/space in name.txt").outcome, Outcome::File);
}

TEST_F(DocumentRootTest, MissingFileIsNotFound) {
  EXPECT_EQ(resolve("/nope.txt").outcome, Outcome::NotFound);
  EXPECT_EQ(resolve("/nope/deeper.txt").outcome, Outcome::NotFound);
}

TEST_F(DocumentRootTest, FileNamedAsDirectoryIsNotFound) {
  EXPECT_EQ(resolve("/a.txt/", true).outcome, Outcome::NotFound);
  EXPECT_EQ(resolve("/a.txt/x").outcome, Outcome::NotFound);
}

TEST_F(DocumentRootTest, DirectoryWithoutSlashAsksForRedirect) {
  EXPECT_EQ(resolve("/dir").outcome, Outcome::AddSlash);
}

TEST_F(DocumentRootTest, DirectoryWithSlashServesIndex) {
  Resolved r = resolve("/dir/", true);
  ASSERT_EQ(r.outcome, Outcome::File);
  EXPECT_TRUE(r.is_index);
  EXPECT_EQ(r.st.st_size, 12);
}

TEST_F(DocumentRootTest, RootItselfServesItsIndexOrReportsNoIndex) {
  EXPECT_EQ(resolve("/", true).outcome, Outcome::NoIndex);
  write(root_dir_ / "index.html", "root");
  EXPECT_EQ(resolve("/", true).outcome, Outcome::File);
}

TEST_F(DocumentRootTest, DirectoryWithoutIndexIsNoIndex) {
  EXPECT_EQ(resolve("/noindex/", true).outcome, Outcome::NoIndex);
}

TEST_F(DocumentRootTest, SymlinksLeavingTheRootAreForbidden) {
  EXPECT_EQ(resolve("/abs-escape").outcome, Outcome::Forbidden);
  EXPECT_EQ(resolve("/rel-escape").outcome, Outcome::Forbidden);
}

TEST_F(DocumentRootTest, SymlinkInsideTheRootIsFollowed) {
  Resolved r = resolve("/inside-link");
  ASSERT_EQ(r.outcome, Outcome::File);
  EXPECT_EQ(r.st.st_size, 5);
}

TEST_F(DocumentRootTest, DotDotCannotClimbEvenIfACallerForgetsToNormalise) {
  Resolved r = resolve("/../secret.txt");
  EXPECT_NE(r.outcome, Outcome::File);
  EXPECT_NE(resolve("/dir/../../secret.txt").outcome, Outcome::File);
}

TEST_F(DocumentRootTest, NonRegularFileIsForbidden) {
  ASSERT_EQ(::mkfifo((root_dir_ / "pipe").c_str(), 0644), 0);
  EXPECT_EQ(resolve("/pipe").outcome, Outcome::Forbidden);
}

TEST_F(DocumentRootTest, UnreadableFileIsForbiddenForUnprivilegedUsers) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads every file";
  write(root_dir_ / "locked.txt", "x");
  stdfs::permissions(root_dir_ / "locked.txt", stdfs::perms::none);
  EXPECT_EQ(resolve("/locked.txt").outcome, Outcome::Forbidden);
}

TEST(DocumentRootOpen, MissingRootIsAnErrorThatNamesThePath) {
  std::string error;
  DocumentRoot root = DocumentRoot::open("/nonexistent/learnhttpd-root", error);
  EXPECT_FALSE(root.valid());
  EXPECT_NE(error.find("/nonexistent/learnhttpd-root"), std::string::npos);
  EXPECT_NE(error.find("No such file"), std::string::npos);
}

}  // namespace
}  // namespace learnhttpd::fs
