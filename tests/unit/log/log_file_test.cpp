// SPDX-License-Identifier: MIT
// The log-file opening rules (log/log_file.hpp) against a real tree. "mine" is a directory only
// this user can write (trusted); "open" belongs to the workers' user (uid 65534 when the tests
// run as root, the only case where a master hands files to another user): the directory that
// user controls, where a planted link or FIFO must not fool the master. The tests of "open"
// need root (a chown); the rest run as any user.

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
    if (root_) {
      ASSERT_EQ(::chmod(base_.c_str(), 0755), 0);  // the workers' user must reach "open"
      ASSERT_EQ(::chown((base_ / "open").c_str(), kWorkers, kWorkers), 0);
    }
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
    EXPECT_FALSE(openLogFile(path(relative), workers_, error)) << relative;
    EXPECT_NE(error.find(path(relative)), std::string::npos) << error;
    EXPECT_NE(error.find(reason), std::string::npos) << error;
    error.clear();
    EXPECT_FALSE(prepareLogFile(path(relative), workers_, error)) << relative;
    EXPECT_NE(error.find(reason), std::string::npos) << error;
    error.clear();
    EXPECT_FALSE(checkLogFile(path(relative), workers_, error)) << relative;
    EXPECT_NE(error.find(reason), std::string::npos) << error;
    EXPECT_EQ(read(base_ / "target"), "precious\n");
  }

  // Makes a file or link in "open" as its owner would (root makes it, then gives it away).
  void giveToWorkers(const std::string& relative) {
    ASSERT_EQ(::lchown(path(relative).c_str(), kWorkers, kWorkers), 0);
  }

  static constexpr uid_t kWorkers = 65534;
  const bool root_ = ::geteuid() == 0;
  const uid_t workers_ = root_ ? kWorkers : ::geteuid();
  stdfs::path base_;
};

// The tests of the workers' directory: a root master hands files to another user.
#define REQUIRE_ROOT() \
  if (!root_) GTEST_SKIP() << "needs root: only a root master hands log files to another user"

TEST_F(LogFileTest, CreatesAndAppendsInATrustedDirectory) {
  std::string error;
  base::UniqueFd fd = openLogFile(path("mine/a.log"), workers_, error);
  ASSERT_TRUE(fd) << error;
  ASSERT_EQ(::write(fd.get(), "one\n", 4), 4);
  fd = openLogFile(path("mine/a.log"), workers_, error);
  ASSERT_TRUE(fd) << error;
  ASSERT_EQ(::write(fd.get(), "two\n", 4), 4);
  EXPECT_EQ(read(base_ / "mine/a.log"), "one\ntwo\n");
  struct stat st {};
  ASSERT_EQ(::fstat(fd.get(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777 & ~0640, 0u);               // created 0640 (less under a umask)
  EXPECT_EQ(::fcntl(fd.get(), F_GETFL) & O_NONBLOCK, 0);  // writes block, as a log's should
  EXPECT_NE(::fcntl(fd.get(), F_GETFD) & FD_CLOEXEC, 0);
}

TEST_F(LogFileTest, CreatesAFreshFileInTheWorkersDirectoryAndHandsItOver) {
  REQUIRE_ROOT();
  std::string error;
  EXPECT_TRUE(prepareLogFile(path("open/a.log"), workers_, error)) << error;
  struct stat st {};
  ASSERT_EQ(::lstat(path("open/a.log").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_uid, kWorkers);
  // The next start, reload and reopen accept the file they handed over.
  EXPECT_TRUE(prepareLogFile(path("open/a.log"), workers_, error)) << error;
  EXPECT_TRUE(checkLogFile(path("open/a.log"), workers_, error)) << error;
  EXPECT_TRUE(openLogFile(path("open/a.log"), workers_, error)) << error;
}

TEST_F(LogFileTest, HandedOverFileInATrustedDirectoryIsAcceptedAgain) {
  REQUIRE_ROOT();
  std::string error;
  ASSERT_TRUE(prepareLogFile(path("mine/a.log"), workers_, error)) << error;
  struct stat st {};
  ASSERT_EQ(::lstat(path("mine/a.log").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, kWorkers);
  EXPECT_TRUE(prepareLogFile(path("mine/a.log"), workers_, error)) << error;
  EXPECT_TRUE(checkLogFile(path("mine/a.log"), workers_, error)) << error;
  EXPECT_TRUE(openLogFile(path("mine/a.log"), workers_, error)) << error;
}

// Every user, a group, or a user who is neither root nor the workers': refused at each entry
// point with a message that says how to fix it, and nothing is created there.
TEST_F(LogFileTest, DirectoryOthersCanWriteIsRefusedEverywhere) {
  struct Case {
    mode_t mode;
    gid_t group;
    const char* why;
  };
  const gid_t other_group = root_ ? 4 : ::getegid();  // adm, or a group of ours (not root's)
  std::vector<Case> cases = {{0777, 0, "can be written by every user"},
                             {01777, 0, "can be written by every user"}};
  if (other_group != 0) cases.push_back({0775, other_group, "can be written by group"});
  for (const Case& c : cases) {
    stdfs::create_directories(base_ / "shared");
    ASSERT_EQ(::chmod((base_ / "shared").c_str(), c.mode), 0);
    if (root_) {
      ASSERT_EQ(::chown((base_ / "shared").c_str(), 0, c.group), 0);
    }
    expectRefused("shared/a.log", c.why);
    expectRefused("shared/a.log", "chown root:adm " + path("shared") + " && chmod 0755");
    EXPECT_TRUE(stdfs::is_empty(base_ / "shared")) << c.why;
    stdfs::remove_all(base_ / "shared");
  }
}

TEST_F(LogFileTest, DirectoryOfAnotherUserIsRefused) {
  REQUIRE_ROOT();
  stdfs::create_directories(base_ / "alice");
  ASSERT_EQ(::chown((base_ / "alice").c_str(), 4242, 4242), 0);
  ASSERT_EQ(::chmod((base_ / "alice").c_str(), 0755), 0);
  expectRefused("alice/a.log", "neither root nor the workers' user");
  EXPECT_TRUE(stdfs::is_empty(base_ / "alice"));
}

TEST_F(LogFileTest, WorkersCheckSaysWhatTheWorkersCanReopen) {
  std::string error;
  EXPECT_TRUE(workersCanOpenLogFile(path("mine/new.log"), error)) << error;
  write(base_ / "mine/a.log", "");
  EXPECT_TRUE(workersCanOpenLogFile(path("mine/a.log"), error)) << error;
  if (!root_) {  // root may write anything; another user's view is the integration tests'
    ASSERT_EQ(::chmod((base_ / "mine/a.log").c_str(), 0444), 0);
    EXPECT_FALSE(workersCanOpenLogFile(path("mine/a.log"), error));
    EXPECT_NE(error.find("cannot be written"), std::string::npos) << error;
  }
}

TEST_F(LogFileTest, MissingDirectoryIsAnErrorAndIsNotCreated) {
  for (const char* relative : {"none/a.log", "none/deeper/a.log", "mine/none/a.log"}) {
    std::string error;
    EXPECT_FALSE(openLogFile(path(relative), workers_, error)) << relative;
    EXPECT_NE(error.find("does not exist"), std::string::npos) << error;
    EXPECT_NE(error.find(path(relative)), std::string::npos) << error;
    error.clear();
    EXPECT_FALSE(checkLogFile(path(relative), workers_, error)) << relative;
    EXPECT_NE(error.find("does not exist"), std::string::npos) << error;
  }
  EXPECT_FALSE(stdfs::exists(base_ / "none"));
  EXPECT_FALSE(stdfs::exists(base_ / "mine/none"));
}

TEST_F(LogFileTest, SymlinkInAnUntrustedDirectoryIsRefused) {
  REQUIRE_ROOT();
  stdfs::create_symlink(base_ / "target", base_ / "open/a.log");
  expectRefused("open/a.log", "symbolic link");
  stdfs::create_symlink(base_ / "nowhere", base_ / "open/dangling.log");  // O_CREAT would follow
  expectRefused("open/dangling.log", "symbolic link");
  EXPECT_FALSE(stdfs::exists(base_ / "nowhere"));
}

TEST_F(LogFileTest, SymlinkedDirectoryInAnUntrustedDirectoryIsRefused) {
  REQUIRE_ROOT();
  stdfs::create_symlink(base_, base_ / "open/sub");
  expectRefused("open/sub/target", "symbolic link");
}

TEST_F(LogFileTest, SymlinkInATrustedDirectoryIsFollowed) {
  stdfs::create_directories(base_ / "mine/real");
  stdfs::create_symlink("real", base_ / "mine/dir-link");
  stdfs::create_symlink("real/a.log", base_ / "mine/file-link");
  std::string error;
  EXPECT_TRUE(checkLogFile(path("mine/dir-link/a.log"), workers_, error)) << error;
  EXPECT_TRUE(openLogFile(path("mine/file-link"), workers_, error)) << error;
  EXPECT_TRUE(stdfs::is_regular_file(base_ / "mine/real/a.log"));
  // ... but not on into a link in the workers' directory.
  if (!root_) return;
  stdfs::create_symlink(base_ / "target", base_ / "open/evil");
  stdfs::create_symlink(base_ / "open/evil", base_ / "mine/chain");
  expectRefused("mine/chain", "symbolic link");
}

TEST_F(LogFileTest, HardLinkInAnUntrustedDirectoryIsRefused) {
  REQUIRE_ROOT();
  stdfs::create_hard_link(base_ / "target", base_ / "open/a.log");
  expectRefused("open/a.log", "2 hard links");
}

TEST_F(LogFileTest, FifoInAnUntrustedDirectoryIsRefusedWithoutBlocking) {
  REQUIRE_ROOT();
  ASSERT_EQ(::mkfifo((base_ / "open/a.log").c_str(), 0666), 0);
  std::string error;
  EXPECT_FALSE(
      openLogFile(path("open/a.log"), workers_, error));  // no reader: the open must not wait
  EXPECT_NE(error.find(path("open/a.log")), std::string::npos) << error;
  base::UniqueFd reader(::open((base_ / "open/a.log").c_str(), O_RDONLY | O_NONBLOCK));
  ASSERT_TRUE(reader);
  expectRefused("open/a.log", "not a regular file");  // a reader: the type check refuses it
}

TEST_F(LogFileTest, FifoWithoutReaderInATrustedDirectoryFailsWithoutBlocking) {
  ASSERT_EQ(::mkfifo((base_ / "mine/a.log").c_str(), 0600), 0);
  std::string error;
  EXPECT_FALSE(openLogFile(path("mine/a.log"), workers_, error));
  EXPECT_NE(error.find(path("mine/a.log")), std::string::npos) << error;
}

TEST_F(LogFileTest, CheckCreatesNothing) {
  std::string error;
  EXPECT_TRUE(checkLogFile(path("open/new.log"), workers_, error)) << error;
  EXPECT_TRUE(checkLogFile(path("mine/new.log"), workers_, error)) << error;
  EXPECT_FALSE(stdfs::exists(base_ / "open/new.log"));
  EXPECT_FALSE(stdfs::exists(base_ / "mine/new.log"));
}

TEST_F(LogFileTest, NamesThatAreNotFilesAreRefused) {
  std::string error;
  EXPECT_FALSE(openLogFile("", workers_, error));
  EXPECT_FALSE(openLogFile(path("mine/.."), workers_, error));
  EXPECT_FALSE(openLogFile(path("mine"), workers_, error));  // a directory
  EXPECT_FALSE(checkLogFile(path("mine"), workers_, error));
  EXPECT_FALSE(openLogFile(path("target/x.log"), workers_, error));
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
