// SPDX-License-Identifier: MIT
// The log-file opening rules (log/log_file.hpp) against a real tree. "mine" is a directory only
// this user can write (trusted); "open" is writable by everyone (0777, no sticky bit), the
// stand-in for a log directory another user controls. Runs as any user.

#include "log/log_file.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace learnhttpd::log {
namespace {

namespace stdfs = std::filesystem;

class LogFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (stdfs::temp_directory_path() / "lh-log-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    base_ = tmpl;
    stdfs::create_directories(base_ / "mine");
    stdfs::create_directories(base_ / "open");
    ASSERT_EQ(::chmod((base_ / "open").c_str(), 0777), 0);
    write(base_ / "target", "precious\n");
  }
  void TearDown() override { stdfs::remove_all(base_); }

  static void write(const stdfs::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
  }
  static std::string read(const stdfs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  std::string path(const std::string& relative) const { return (base_ / relative).string(); }

  // Each entry point refuses `relative` with a message naming it and containing `reason`, and
  // the target file is left as it was.
  void expectRefused(const std::string& relative, const std::string& reason) {
    std::string error;
    EXPECT_FALSE(openLogFile(path(relative), error)) << relative;
    EXPECT_NE(error.find(path(relative)), std::string::npos) << error;
    EXPECT_NE(error.find(reason), std::string::npos) << error;
    error.clear();
    EXPECT_FALSE(prepareLogFile(path(relative), ::geteuid(), error)) << relative;
    EXPECT_NE(error.find(reason), std::string::npos) << error;
    error.clear();
    EXPECT_FALSE(checkLogFile(path(relative), error)) << relative;
    EXPECT_NE(error.find(reason), std::string::npos) << error;
    EXPECT_EQ(read(base_ / "target"), "precious\n");
  }

  stdfs::path base_;
};

TEST_F(LogFileTest, CreatesAndAppendsInATrustedDirectory) {
  std::string error;
  base::UniqueFd fd = openLogFile(path("mine/a.log"), error);
  ASSERT_TRUE(fd) << error;
  ASSERT_EQ(::write(fd.get(), "one\n", 4), 4);
  fd = openLogFile(path("mine/a.log"), error);
  ASSERT_TRUE(fd) << error;
  ASSERT_EQ(::write(fd.get(), "two\n", 4), 4);
  EXPECT_EQ(read(base_ / "mine/a.log"), "one\ntwo\n");
  struct stat st {};
  ASSERT_EQ(::fstat(fd.get(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777 & ~0640, 0u);               // created 0640 (less under a umask)
  EXPECT_EQ(::fcntl(fd.get(), F_GETFL) & O_NONBLOCK, 0);  // writes block, as a log's should
  EXPECT_NE(::fcntl(fd.get(), F_GETFD) & FD_CLOEXEC, 0);
}

TEST_F(LogFileTest, CreatesAFreshFileInAnUntrustedDirectory) {
  std::string error;
  EXPECT_TRUE(prepareLogFile(path("open/a.log"), ::geteuid(), error)) << error;
  EXPECT_TRUE(stdfs::is_regular_file(base_ / "open/a.log"));
  EXPECT_TRUE(openLogFile(path("open/a.log"), error)) << error;
}

TEST_F(LogFileTest, MissingDirectoryIsAnErrorAndIsNotCreated) {
  for (const char* relative : {"none/a.log", "none/deeper/a.log", "mine/none/a.log"}) {
    std::string error;
    EXPECT_FALSE(openLogFile(path(relative), error)) << relative;
    EXPECT_NE(error.find("does not exist"), std::string::npos) << error;
    EXPECT_NE(error.find(path(relative)), std::string::npos) << error;
    error.clear();
    EXPECT_FALSE(checkLogFile(path(relative), error)) << relative;
    EXPECT_NE(error.find("does not exist"), std::string::npos) << error;
  }
  EXPECT_FALSE(stdfs::exists(base_ / "none"));
  EXPECT_FALSE(stdfs::exists(base_ / "mine/none"));
}

TEST_F(LogFileTest, SymlinkInAnUntrustedDirectoryIsRefused) {
  stdfs::create_symlink(base_ / "target", base_ / "open/a.log");
  expectRefused("open/a.log", "symbolic link");
  stdfs::create_symlink(base_ / "nowhere", base_ / "open/dangling.log");  // O_CREAT would follow
  expectRefused("open/dangling.log", "symbolic link");
  EXPECT_FALSE(stdfs::exists(base_ / "nowhere"));
}

TEST_F(LogFileTest, SymlinkedDirectoryInAnUntrustedDirectoryIsRefused) {
  stdfs::create_symlink(base_, base_ / "open/sub");
  expectRefused("open/sub/target", "symbolic link");
}

TEST_F(LogFileTest, SymlinkInATrustedDirectoryIsFollowed) {
  stdfs::create_directories(base_ / "mine/real");
  stdfs::create_symlink("real", base_ / "mine/dir-link");
  stdfs::create_symlink("real/a.log", base_ / "mine/file-link");
  std::string error;
  EXPECT_TRUE(checkLogFile(path("mine/dir-link/a.log"), error)) << error;
  EXPECT_TRUE(openLogFile(path("mine/file-link"), error)) << error;
  EXPECT_TRUE(stdfs::is_regular_file(base_ / "mine/real/a.log"));
  // ... but not on into an untrusted directory's link.
  stdfs::create_symlink(base_ / "target", base_ / "open/evil");
  stdfs::create_symlink(base_ / "open/evil", base_ / "mine/chain");
  expectRefused("mine/chain", "symbolic link");
}

TEST_F(LogFileTest, HardLinkInAnUntrustedDirectoryIsRefused) {
  stdfs::create_hard_link(base_ / "target", base_ / "open/a.log");
  expectRefused("open/a.log", "2 hard links");
}

TEST_F(LogFileTest, FifoInAnUntrustedDirectoryIsRefusedWithoutBlocking) {
  ASSERT_EQ(::mkfifo((base_ / "open/a.log").c_str(), 0666), 0);
  std::string error;
  EXPECT_FALSE(openLogFile(path("open/a.log"), error));  // no reader: the open must not wait
  EXPECT_NE(error.find(path("open/a.log")), std::string::npos) << error;
  base::UniqueFd reader(::open((base_ / "open/a.log").c_str(), O_RDONLY | O_NONBLOCK));
  ASSERT_TRUE(reader);
  expectRefused("open/a.log", "not a regular file");  // a reader: the type check refuses it
}

TEST_F(LogFileTest, FifoWithoutReaderInATrustedDirectoryFailsWithoutBlocking) {
  ASSERT_EQ(::mkfifo((base_ / "mine/a.log").c_str(), 0600), 0);
  std::string error;
  EXPECT_FALSE(openLogFile(path("mine/a.log"), error));
  EXPECT_NE(error.find(path("mine/a.log")), std::string::npos) << error;
}

TEST_F(LogFileTest, CheckCreatesNothing) {
  std::string error;
  EXPECT_TRUE(checkLogFile(path("open/new.log"), error)) << error;
  EXPECT_TRUE(checkLogFile(path("mine/new.log"), error)) << error;
  EXPECT_FALSE(stdfs::exists(base_ / "open/new.log"));
  EXPECT_FALSE(stdfs::exists(base_ / "mine/new.log"));
}

TEST_F(LogFileTest, NamesThatAreNotFilesAreRefused) {
  std::string error;
  EXPECT_FALSE(openLogFile("", error));
  EXPECT_FALSE(openLogFile(path("mine/.."), error));
  EXPECT_FALSE(openLogFile(path("mine"), error));  // a directory
  EXPECT_FALSE(checkLogFile(path("mine"), error));
  EXPECT_FALSE(openLogFile(path("target/x.log"), error));
  EXPECT_NE(error.find("not a directory"), std::string::npos) << error;
}

TEST(LogTargets, OnlyPathsAreFiles) {
  EXPECT_FALSE(isFilePath("stdout"));
  EXPECT_FALSE(isFilePath("stderr"));
  EXPECT_FALSE(isFilePath("off"));
  EXPECT_TRUE(isFilePath("/var/log/learnhttpd/access.log"));
}

}  // namespace
}  // namespace learnhttpd::log
