// SPDX-License-Identifier: MIT
// loadConfigFile on real files, and the shipped etc/learnhttpd.yaml.

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "config/config.hpp"
#include "config/config_loader.hpp"

namespace learnhttpd::config {
namespace {

const std::string kShippedConfig = std::string(LEARNHTTPD_SOURCE_DIR) + "/etc/learnhttpd.yaml";

// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "lh_config_XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed");
    }
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string write(const std::string& name, const std::string& text) const {
    std::string path = (path_ / name).string();
    std::ofstream(path) << text;
    return path;
  }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

std::string errorOfFile(const std::string& path) {
  try {
    loadConfigFile(path);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "<no error>";
}

TEST(LoadConfigFile, ReadsAFileFromDisk) {
  const TempDir dir;
  const std::string path = dir.write("a.yaml", "workers: 3\nlog:\n  quiet: true\n");
  const Config config = loadConfigFile(path);
  EXPECT_EQ(config.workers, 3U);
  EXPECT_TRUE(config.log.quiet);
  EXPECT_EQ(config.source, path);
}

TEST(LoadConfigFile, EmptyFileMeansDefaults) {
  const TempDir dir;
  const std::string path = dir.write("empty.yaml", "");
  Config expected;
  expected.source = path;
  EXPECT_EQ(loadConfigFile(path), expected);
}

TEST(LoadConfigFile, ErrorsNameTheFilePath) {
  const TempDir dir;
  const std::string path = dir.write("bad.yaml", "# settings\nworkers: 2\nthreads: lots\n");
  EXPECT_EQ(errorOfFile(path), path +
                                   ":3: threads: expected a number of threads 1-1024, or a range "
                                   "MIN..MAX like 4..64, got 'lots'");
}

TEST(LoadConfigFile, MissingFile) {
  const TempDir dir;
  const std::string path = dir.path() + "/nope.yaml";
  EXPECT_EQ(errorOfFile(path), path + ": cannot read: No such file or directory");
}

TEST(LoadConfigFile, DirectoryIsNotAFile) {
  const TempDir dir;
  EXPECT_EQ(errorOfFile(dir.path()), dir.path() + ": cannot read: Is a directory");
}

TEST(LoadConfigFile, UnreadableFile) {
  if (geteuid() == 0) {
    GTEST_SKIP() << "root reads files whatever their mode";
  }
  const TempDir dir;
  const std::string path = dir.write("secret.yaml", "workers: 2\n");
  std::filesystem::permissions(path, std::filesystem::perms::none);
  EXPECT_EQ(errorOfFile(path), path + ": cannot read: Permission denied");
}

// Only the two paths a Debian system wants elsewhere differ from the built-in defaults.
TEST(ShippedConfig, LoadsToTheDefaultsButThePackagedPaths) {
  Config expected;
  expected.source = kShippedConfig;
  expected.pid_file = "/run/learnhttpd/learnhttpd.pid";
  expected.log.access_log = "/var/log/learnhttpd/access.log";
  EXPECT_EQ(loadConfigFile(kShippedConfig), expected);
}

// The file is the documentation of the settings: every key must be spelled out in it.
TEST(ShippedConfig, SetsEveryKeyExplicitly) {
  std::ifstream file(kShippedConfig);
  std::stringstream text;
  text << file.rdbuf();
  // Built by appending: "\n" + str() trips GCC 12's -Wrestrict false positive at -O2+.
  std::string content(1, '\n');
  content += text.str();
  for (const char* key : {"\nlisten:",
                          "\ndocument_root:",
                          "\nindex:",
                          "\nmissing_index_status:",
                          "\nworkers:",
                          "\nworker_model:",
                          "\nthreads:",
                          "\nthread_idle_timeout:",
                          "\nmax_connections:",
                          "\nkeepalive_timeout:",
                          "\nkeepalive_requests:",
                          "\nheader_timeout:",
                          "\nsend_timeout:",
                          "\nmax_header_bytes:",
                          "\nshutdown_timeout:",
                          "\nworker_timeout:",
                          "\nuser:",
                          "\npid_file:",
                          "\nlog:",
                          "\n  level:",
                          "\n  error_log:",
                          "\n  access_log:",
                          "\n  quiet:",
                          "\nmime_types:",
                          "\nhidden_files:",
                          "\ncharset:",
                          "\nstatus:",
                          "\n  # listen:",
                          "\n  allow_remote:",
                          "\nredirect_to_https:"}) {
    EXPECT_NE(content.find(key), std::string::npos) << key;
  }
}

}  // namespace
}  // namespace learnhttpd::config
