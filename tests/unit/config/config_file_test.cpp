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

// ---- include: --------------------------------------------------------------------------------

TEST(Include, MergesTheFilesAGlobMatchesRelativeToTheIncludingFile) {
  const TempDir dir;
  std::filesystem::create_directory(dir.path() + "/conf.d");
  dir.write("conf.d/10-workers.yaml", "workers: 3\n");
  dir.write("conf.d/20-log.yaml", "# a comment\nlog:\n  quiet: true\n");
  dir.write("conf.d/ignored.txt", "not: yaml: at all\n");
  const std::string main = dir.write("main.yaml", "index: home.html\ninclude: conf.d/*.yaml\n");
  const Config config = loadConfigFile(main);
  EXPECT_EQ(config.workers, 3U);
  EXPECT_TRUE(config.log.quiet);
  EXPECT_EQ(config.index, "home.html");
  EXPECT_EQ(config.source, main);
}

TEST(Include, AGlobThatMatchesNothingIsFine) {
  const TempDir dir;
  const std::string main = dir.write("main.yaml", "include: [conf.d/*.yaml, \"*.none\"]\n");
  Config expected;
  expected.source = main;
  EXPECT_EQ(loadConfigFile(main), expected);
}

TEST(Include, AnUnreadableDirectoryIsAnError) {
  if (geteuid() == 0) {
    GTEST_SKIP() << "root reads directories whatever their mode";
  }
  const TempDir dir;
  std::filesystem::create_directory(dir.path() + "/conf.d");
  std::filesystem::permissions(dir.path() + "/conf.d", std::filesystem::perms::none);
  const std::string main = dir.write("main.yaml", "include: conf.d/*.yaml\n");
  EXPECT_EQ(errorOfFile(main),
            main + ":1: include: cannot read " + dir.path() + "/conf.d: Permission denied");
  std::filesystem::permissions(dir.path() + "/conf.d", std::filesystem::perms::owner_all);
}

TEST(Include, AListOfFilesAbsoluteOrRelative) {
  const TempDir dir;
  const std::string a = dir.write("a.yaml", "workers: 2\n");
  dir.write("b.yaml", "threads: 5\n");
  const std::string main = dir.write("main.yaml", "include:\n  - " + a + "\n  - b.yaml\n");
  const Config config = loadConfigFile(main);
  EXPECT_EQ(config.workers, 2U);
  EXPECT_EQ(config.threads, 5U);
}

TEST(Include, AMissingNamedFileIsAnErrorAtTheIncludeLine) {
  const TempDir dir;
  const std::string main = dir.write("main.yaml", "workers: 2\ninclude:\n  - extra.yaml\n");
  EXPECT_EQ(errorOfFile(main), main + ":3: include: " + dir.path() +
                                   "/extra.yaml: cannot read: No such file or directory");
}

TEST(Include, AKeySetTwiceNamesBothPlaces) {
  const TempDir dir;
  const std::string inc = dir.write("inc.yaml", "# more\nworkers: 4\n");
  const std::string main = dir.write("main.yaml", "workers: 2\ninclude: inc.yaml\n");
  EXPECT_EQ(errorOfFile(main), inc + ":2: duplicate key 'workers', already set at " + main + ":1");
  std::filesystem::create_directory(dir.path() + "/d");
  const std::string one = dir.write("d/1.yaml", "log: {quiet: true}\n");
  const std::string two = dir.write("d/2.yaml", "index: x.html\nlog: {level: warn}\n");
  const std::string other = dir.write("other.yaml", "include: d/*.yaml\n");
  EXPECT_EQ(errorOfFile(other), two + ":2: duplicate key 'log', already set at " + one + ":1");
}

TEST(Include, ErrorsInAnIncludedFileNameThatFileItsLineAndKey) {
  const TempDir dir;
  const std::string inc = dir.write("inc.yaml", "workers: 2\nthreads: lots\n");
  const std::string main = dir.write("main.yaml", "include: inc.yaml\n");
  EXPECT_EQ(errorOfFile(main), inc +
                                   ":2: threads: expected a number of threads 1-1024, or a range "
                                   "MIN..MAX like 4..64, got 'lots'");
  dir.write("inc.yaml", "\nworkerz: 2\n");
  EXPECT_EQ(errorOfFile(main), inc + ":2: unknown key 'workerz', did you mean 'workers'?");
  dir.write("inc.yaml", "[1, 2]\n");
  EXPECT_EQ(errorOfFile(main), inc + ":1: expected a mapping of settings");
  dir.write("inc.yaml", "a: [unclosed\n");
  EXPECT_TRUE(errorOfFile(main).starts_with(inc + ":")) << errorOfFile(main);
}

TEST(Include, CyclesAndFilesIncludedTwiceAreErrors) {
  const TempDir dir;
  const std::string a = dir.write("a.yaml", "include: b.yaml\n");
  const std::string b = dir.write("b.yaml", "workers: 2\ninclude: a.yaml\n");
  EXPECT_EQ(errorOfFile(a), b + ":2: include: " + dir.path() +
                                "/a.yaml is already part of the configuration (included twice, "
                                "or an include cycle)");
  const std::string self = dir.write("self.yaml", "include: self.yaml\n");
  EXPECT_NE(errorOfFile(self).find("self.yaml is already part of the configuration"),
            std::string::npos);
  dir.write("c.yaml", "workers: 2\n");
  const std::string twice = dir.write("twice.yaml", "include: [c.yaml, ./c.yaml]\n");
  EXPECT_EQ(errorOfFile(twice), twice + ":1: include: " + dir.path() +
                                    "/./c.yaml is already part of the configuration (included "
                                    "twice, or an include cycle)");
}

TEST(Include, NestingIsBounded) {
  const TempDir dir;
  for (int i = 0; i < 9; ++i) {
    dir.write("n" + std::to_string(i) + ".yaml", "include: n" + std::to_string(i + 1) + ".yaml\n");
  }
  dir.write("n9.yaml", "workers: 2\n");
  EXPECT_EQ(errorOfFile(dir.path() + "/n0.yaml"),
            dir.path() + "/n8.yaml:1: include: nested more than 8 files deep");
  EXPECT_EQ(loadConfigFile(dir.path() + "/n1.yaml").workers, 2U);
}

TEST(Include, BadValues) {
  const TempDir dir;
  const std::string main = dir.write("main.yaml", "include: {a: b}\n");
  EXPECT_EQ(errorOfFile(main),
            main +
                ":1: include: expected a file, a pattern like conf.d/*.yaml, or a list of "
                "them, got a mapping");
  dir.write("main.yaml", "include:\n  - \"\"\n");
  EXPECT_EQ(errorOfFile(main),
            main +
                ":2: include: expected a file, a pattern like conf.d/*.yaml, or a list of "
                "them, got ''");
  dir.write("main.yaml", "includes: x.yaml\n");
  EXPECT_EQ(errorOfFile(main), main + ":1: unknown key 'includes', did you mean 'include'?");
  dir.write("main.yaml", "include: []\ninclude: []\n");
  EXPECT_EQ(errorOfFile(main), main + ":2: duplicate key 'include'");
}

// The checks made once every file is read point into the file that set the key.
TEST(Include, LateChecksPointAtTheIncludedFile) {
  const TempDir dir;
  const std::string inc = dir.write("tls.yaml", "workers: 1\nlisten: [\"127.0.0.1:443 ssl\"]\n");
  const std::string main = dir.write("main.yaml", "include: tls.yaml\n");
  EXPECT_EQ(errorOfFile(main),
            inc + ":2: listen: an \"ssl\" address needs tls.certificate and tls.key");
}

TEST(Include, NotFromText) {
  try {
    loadConfigString("include: conf.d/*.yaml\n", "test.yaml");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(),
                 "test.yaml:1: include: only a configuration file read from disk may include "
                 "others");
  }
}

// Only what a Debian system wants elsewhere differs from the built-in defaults: port 80 on
// IPv4 and IPv6, the pid file and the access log. Its conf.d/ (the shipped example sets
// nothing) is included.
TEST(ShippedConfig, LoadsToTheDefaultsButThePackagedPaths) {
  Config expected;
  expected.source = kShippedConfig;
  expected.listen = {{"0.0.0.0", 80}, {"::", 80}};
  expected.pid_file = "/run/learnhttpd/learnhttpd.pid";
  expected.log.access_log = "/var/log/learnhttpd/access.log";
  EXPECT_EQ(loadConfigFile(kShippedConfig), expected);
}

TEST(ShippedConfig, IncludesConfD) {
  const TempDir dir;
  std::filesystem::copy_file(kShippedConfig, dir.path() + "/learnhttpd.yaml");
  std::filesystem::create_directory(dir.path() + "/conf.d");
  // tls is the one section the shipped file leaves commented out.
  dir.write("conf.d/50-tls.yaml", "tls: {certificate: /etc/x/full.pem, key: /etc/x/key.pem}\n");
  const Config config = loadConfigFile(dir.path() + "/learnhttpd.yaml");
  EXPECT_EQ(config.tls.certificate, "/etc/x/full.pem");
  // A key the main file sets may not be set again: the admin moves it.
  dir.write("conf.d/60-port.yaml", "listen: [\"0.0.0.0:8080\"]\n");
  std::ifstream shipped(kShippedConfig);
  int listen_line = 1;
  for (std::string line; std::getline(shipped, line) && !line.starts_with("listen:");) {
    ++listen_line;
  }
  EXPECT_EQ(errorOfFile(dir.path() + "/learnhttpd.yaml"),
            dir.path() + "/conf.d/60-port.yaml:1: duplicate key 'listen', already set at " +
                dir.path() + "/learnhttpd.yaml:" + std::to_string(listen_line));
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
                          "\nredirect_to_https:",
                          "\nredirects:",
                          "\nrewrites:",
                          "\nfallback:",
                          "\nlisting:",
                          "\nauth:",
                          "\ncors:",
                          "\nsites:",
                          "\ninclude:"}) {
    EXPECT_NE(content.find(key), std::string::npos) << key;
  }
}

}  // namespace
}  // namespace learnhttpd::config
