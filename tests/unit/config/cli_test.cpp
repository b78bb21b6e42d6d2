// SPDX-License-Identifier: MIT
// parseCli over every flag and every error, and the rules applyCli lays over a Config.

#include "config/cli.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/config_loader.hpp"

namespace learnhttpd::config {
namespace {

CliResult parse(std::vector<std::string> args) {
  args.insert(args.begin(), "learnhttpd");
  return parseCli(args);
}

CliOptions parseOk(const std::vector<std::string>& args) {
  CliResult result = parse(args);
  if (const auto* error = std::get_if<CliError>(&result)) {
    ADD_FAILURE() << "unexpected error: " << error->message;
    return {};
  }
  return std::get<CliOptions>(result);
}

std::string parseError(const std::vector<std::string>& args) {
  const CliResult result = parse(args);
  if (const auto* error = std::get_if<CliError>(&result)) {
    return error->message;
  }
  return "<no error>";
}

TEST(ParseCli, NoArgumentsMeansRunWithNothingOverridden) {
  const CliOptions options = parseOk({});
  EXPECT_EQ(options.action, CliAction::Run);
  EXPECT_FALSE(options.config_file || options.port || options.bind || options.root ||
               options.workers || options.model || options.threads || options.pid_file);
  EXPECT_FALSE(options.quiet);
  EXPECT_FALSE(options.daemon);
  EXPECT_TRUE(options.signal.empty());
}

TEST(ParseCli, EveryShortFlag) {
  const CliOptions options = parseOk({"-c", "/etc/x.yaml", "-p", "81", "-b", "127.0.0.1", "-r",
                                      "/srv", "-w", "3", "-m", "threadpool", "-q", "-d"});
  EXPECT_EQ(options.config_file, "/etc/x.yaml");
  EXPECT_EQ(options.port, 81);
  EXPECT_EQ(options.bind, "127.0.0.1");
  EXPECT_EQ(options.root, "/srv");
  EXPECT_EQ(options.workers, 3U);
  EXPECT_EQ(options.model, WorkerModel::ThreadPool);
  EXPECT_TRUE(options.quiet);
  EXPECT_TRUE(options.daemon);
  EXPECT_EQ(options.action, CliAction::Run);
}

TEST(ParseCli, EveryLongFlag) {
  const CliOptions options =
      parseOk({"--config", "a.yaml", "--port", "0", "--bind", "[::1]:90", "--root", "/r",
               "--workers", "auto", "--model", "event", "--threads", "16", "--quiet", "--daemon",
               "--pid-file", "/tmp/p.pid"});
  EXPECT_EQ(options.config_file, "a.yaml");
  EXPECT_EQ(options.port, 0);
  EXPECT_EQ(options.bind, "[::1]:90");
  EXPECT_EQ(options.root, "/r");
  EXPECT_EQ(options.workers, 0U);
  EXPECT_EQ(options.model, WorkerModel::Event);
  EXPECT_EQ(options.threads, 16U);
  EXPECT_TRUE(options.quiet);
  EXPECT_TRUE(options.daemon);
  EXPECT_EQ(options.pid_file, "/tmp/p.pid");
}

TEST(ParseCli, ValuesMayBeAttached) {
  const CliOptions options = parseOk({"-p8080", "--root=/srv/a=b", "-w2", "--threads=4"});
  EXPECT_EQ(options.port, 8080);
  EXPECT_EQ(options.root, "/srv/a=b");
  EXPECT_EQ(options.workers, 2U);
  EXPECT_EQ(options.threads, 4U);
}

TEST(ParseCli, ShortFlagsMayBeGrouped) {
  const CliOptions options = parseOk({"-qd"});
  EXPECT_TRUE(options.quiet);
  EXPECT_TRUE(options.daemon);
  const CliOptions with_value = parseOk({"-qp", "99"});
  EXPECT_TRUE(with_value.quiet);
  EXPECT_EQ(with_value.port, 99);
  EXPECT_EQ(parseOk({"-dw4"}).workers, 4U);
}

TEST(ParseCli, LaterFlagsWin) {
  EXPECT_EQ(parseOk({"-p", "1", "--port", "2"}).port, 2);
}

TEST(ParseCli, Actions) {
  EXPECT_EQ(parseOk({"-t"}).action, CliAction::TestConfig);
  EXPECT_EQ(parseOk({"--test-config", "-c", "x"}).action, CliAction::TestConfig);
  EXPECT_EQ(parseOk({"-V"}).action, CliAction::Version);
  EXPECT_EQ(parseOk({"--version"}).action, CliAction::Version);
  EXPECT_EQ(parseOk({"-h"}).action, CliAction::Help);
  EXPECT_EQ(parseOk({"--help"}).action, CliAction::Help);
  EXPECT_EQ(parseOk({"-V", "-h"}).action, CliAction::Help);
  EXPECT_EQ(parseOk({"-t", "-V"}).action, CliAction::Version);
}

TEST(ParseCli, EverySignal) {
  for (const char* name : {"reload", "stop", "quit", "reopen", "status"}) {
    const CliOptions options = parseOk({"-s", name});
    EXPECT_EQ(options.action, CliAction::Signal);
    EXPECT_EQ(options.signal, name);
  }
  EXPECT_EQ(parseOk({"--signal=quit"}).signal, "quit");
}

TEST(ParseCli, CanBeCalledRepeatedly) {
  const std::vector<std::string> args = {"-qp", "81", "--threads", "3"};
  const CliOptions first = parseOk(args);
  const CliOptions second = parseOk(args);
  EXPECT_EQ(first.port, second.port);
  EXPECT_EQ(first.threads, second.threads);
  EXPECT_EQ(parseError({"--nope"}), parseError({"--nope"}));
  EXPECT_EQ(parseOk({}).port, std::nullopt);
}

TEST(ParseCliErrors, UnknownOptions) {
  EXPECT_EQ(parseError({"--foo"}), "unknown option '--foo'");
  EXPECT_EQ(parseError({"--foo=1"}), "unknown option '--foo'");
  EXPECT_EQ(parseError({"-x"}), "unknown option '-x'");
  EXPECT_EQ(parseError({"-qx"}), "unknown option '-x'");
  EXPECT_EQ(parseError({"--Port", "1"}), "unknown option '--Port'");
  EXPECT_EQ(parseError({"--por", "1"}), "unknown option '--por'");
}

TEST(ParseCliErrors, MissingValues) {
  EXPECT_EQ(parseError({"-p"}), "option '-p' needs a value");
  EXPECT_EQ(parseError({"-q", "--config"}), "option '--config' needs a value");
  for (const char* flag : {"-c", "-b", "-r", "-w", "-m", "--threads", "--pid-file", "-s"}) {
    EXPECT_EQ(parseError({flag}), "option '" + std::string(flag) + "' needs a value");
  }
}

TEST(ParseCliErrors, FlagsWithoutValuesRejectOne) {
  EXPECT_EQ(parseError({"--quiet=1"}), "option '--quiet' takes no value");
  EXPECT_EQ(parseError({"--help=x"}), "option '--help' takes no value");
}

TEST(ParseCliErrors, BadPorts) {
  EXPECT_EQ(parseError({"-p", "abc"}), "-p: expected a port number 0-65535, got 'abc'");
  EXPECT_EQ(parseError({"--port=65536"}), "--port: expected a port number 0-65535, got '65536'");
  EXPECT_EQ(parseError({"-p", "-1"}), "-p: expected a port number 0-65535, got '-1'");
  EXPECT_EQ(parseError({"--port="}), "--port: expected a port number 0-65535, got ''");
}

TEST(ParseCliErrors, BadCounts) {
  EXPECT_EQ(parseError({"-w", "0"}), "-w: expected a number of workers 1-1024 or auto, got '0'");
  EXPECT_EQ(parseError({"--workers", "1025"}),
            "--workers: expected a number of workers 1-1024 or auto, got '1025'");
  EXPECT_EQ(parseError({"-w", "many"}),
            "-w: expected a number of workers 1-1024 or auto, got 'many'");
  EXPECT_EQ(
      parseError({"--threads", "0"}),
      "--threads: expected a number of threads 1-1024, or a range MIN..MAX like 4..64, got '0'");
  EXPECT_EQ(
      parseError({"--threads", "1025"}),
      "--threads: expected a number of threads 1-1024, or a range MIN..MAX like 4..64, got '1025'");
}

TEST(ParseCliErrors, BadChoices) {
  EXPECT_EQ(parseError({"-m", "fork"}),
            "-m: expected one of event, threadpool, blocking, process-per-connection, "
            "thread-per-connection, threads-accept, threads-queue, busy-poll, select, got 'fork'");
  EXPECT_EQ(parseError({"-s", "restart"}),
            "-s: expected reload, stop, quit, reopen or status, got 'restart'");
  EXPECT_EQ(parseError({"--signal", "HUP"}),
            "--signal: expected reload, stop, quit, reopen or status, got 'HUP'");
}

TEST(ParseCliErrors, BadAddressesAndPaths) {
  EXPECT_EQ(parseError({"-b", "example.com"}),
            "-b: expected an address like 127.0.0.1, [::1], *:8080 or 8080, got 'example.com'");
  EXPECT_EQ(parseError({"--bind", "1.2.3.4:99999"}),
            "--bind: expected an address like 127.0.0.1, [::1], *:8080 or 8080, got "
            "'1.2.3.4:99999'");
  EXPECT_EQ(parseError({"-c", ""}), "-c: expected a file name, got ''");
  EXPECT_EQ(parseError({"-r", ""}), "-r: expected a directory path, got ''");
  EXPECT_EQ(parseError({"--pid-file="}), "--pid-file: expected a file path, got ''");
}

TEST(ParseCliErrors, PositionalArguments) {
  EXPECT_EQ(parseError({"serve"}), "unexpected argument 'serve'");
  EXPECT_EQ(parseError({"-q", "-"}), "unexpected argument '-'");
  EXPECT_EQ(parseError({"--", "-q"}), "unexpected argument '-q'");
  EXPECT_EQ(parseOk({"-q", "--"}).quiet, true);
}

TEST(ParseCliErrors, TestConfigAndSignalConflict) {
  EXPECT_EQ(parseError({"-t", "-s", "reload"}), "-t and -s cannot be used together");
}

// ---- applyCli -------------------------------------------------------------------------------

Config twoAddresses() {
  Config config;
  config.listen = {{"10.0.0.1", 8000}, {"::1", 9000}};
  return config;
}

Config applied(const std::vector<std::string>& args, Config config = twoAddresses()) {
  applyCli(parseOk(args), config);
  return config;
}

using Addresses = std::vector<ListenAddress>;

TEST(ApplyCli, NoFlagsChangeNothing) {
  EXPECT_EQ(applied({"-c", "x.yaml", "-d", "-t"}), twoAddresses());
}

TEST(ApplyCli, PortAloneKeepsTheFirstHost) {
  EXPECT_EQ(applied({"-p", "81"}).listen, (Addresses{{"10.0.0.1", 81}}));
}

TEST(ApplyCli, PortAloneMovesEveryAddressOfTheFirstPort) {
  Config dual;
  dual.listen = {{"0.0.0.0", 80}, {"::", 80}};
  EXPECT_EQ(applied({"-p", "8080"}, dual).listen, (Addresses{{"0.0.0.0", 8080}, {"::", 8080}}));
  dual.listen = {{"0.0.0.0", 80}, {"0.0.0.0", 443, true}, {"::", 80}, {"::", 443, true}};
  EXPECT_EQ(applied({"-p", "8080"}, dual).listen, (Addresses{{"0.0.0.0", 8080}, {"::", 8080}}));
}

// What make run does over the packaged file: one loopback address.
TEST(ApplyCli, BindAndPortOverTheDualStackFile) {
  Config dual;
  dual.listen = {{"0.0.0.0", 80}, {"::", 80}};
  EXPECT_EQ(applied({"-p", "8080", "-b", "127.0.0.1"}, dual).listen,
            (Addresses{{"127.0.0.1", 8080}}));
}

TEST(ApplyCli, BindHostAloneKeepsTheFirstPort) {
  EXPECT_EQ(applied({"-b", "127.0.0.1"}).listen, (Addresses{{"127.0.0.1", 8000}}));
  EXPECT_EQ(applied({"-b", "::1"}).listen, (Addresses{{"::1", 8000}}));
  EXPECT_EQ(applied({"-b", "[::]"}).listen, (Addresses{{"::", 8000}}));
  EXPECT_EQ(applied({"-b", "*"}).listen, (Addresses{{"0.0.0.0", 8000}}));
  EXPECT_EQ(applied({"-b", "localhost"}).listen, (Addresses{{"127.0.0.1", 8000}}));
}

TEST(ApplyCli, BindWithPortUsesBoth) {
  EXPECT_EQ(applied({"-b", "127.0.0.2:82"}).listen, (Addresses{{"127.0.0.2", 82}}));
  EXPECT_EQ(applied({"-b", "[::1]:83"}).listen, (Addresses{{"::1", 83}}));
  EXPECT_EQ(applied({"-b", "84"}).listen, (Addresses{{"0.0.0.0", 84}}));
}

TEST(ApplyCli, PortBeatsTheBindPort) {
  EXPECT_EQ(applied({"-b", "127.0.0.2:82", "-p", "85"}).listen, (Addresses{{"127.0.0.2", 85}}));
  EXPECT_EQ(applied({"-p", "85", "-b", "127.0.0.2"}).listen, (Addresses{{"127.0.0.2", 85}}));
}

TEST(ApplyCli, EmptyListenFallsBackToTheDefaultAddress) {
  Config config;
  config.listen.clear();
  EXPECT_EQ(applied({"-p", "86"}, config).listen, (Addresses{{"0.0.0.0", 86}}));
  EXPECT_EQ(applied({"-b", "127.0.0.1"}, config).listen, (Addresses{{"127.0.0.1", 8080}}));
}

TEST(ApplyCli, OtherOverrides) {
  const Config config = applied({"-r", "/srv", "-w", "5", "-m", "threadpool", "--threads", "7",
                                 "--pid-file", "/tmp/l.pid", "-q"});
  Config expected = twoAddresses();
  expected.document_root = "/srv";
  expected.workers = 5;
  expected.worker_model = WorkerModel::ThreadPool;
  expected.threads = 7;
  expected.pid_file = "/tmp/l.pid";
  expected.log.quiet = true;
  EXPECT_EQ(config, expected);
}

TEST(ApplyCli, WorkersAutoOverridesAFixedCount) {
  Config config;
  config.workers = 6;
  EXPECT_EQ(applied({"-w", "auto"}, config).workers, 0U);
}

TEST(ApplyCli, WithoutQuietTheFileDecides) {
  Config config;
  config.log.quiet = true;
  EXPECT_TRUE(applied({}, config).log.quiet);
}

TEST(ApplyCli, BadBindThrowsConfigError) {
  CliOptions options;
  options.bind = "not-an-address";
  Config config;
  try {
    applyCli(options, config);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(),
                 "-b: expected an address like 127.0.0.1, [::1], *:8080 or 8080, got "
                 "'not-an-address'");
  }
  EXPECT_EQ(config, Config{});
}

TEST(ApplyCli, RedirectToHttpsNeedsTheAddressLeftToSpeakTls) {
  Config config;
  config.listen = {{"0.0.0.0", 80}, {"0.0.0.0", 443, true}};
  config.redirect_to_https.enabled = true;
  try {
    applied({"-p", "8080"}, config);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "-p: redirect_to_https: no \"ssl\" address in listen to redirect to");
  }
  config.listen = {{"0.0.0.0", 443, true}, {"0.0.0.0", 80}};
  EXPECT_EQ(applied({"-p", "8443"}, config).listen, (Addresses{{"0.0.0.0", 8443, true}}));
}

TEST(Usage, ListsEveryFlag) {
  const std::string text = usage();
  for (const char* flag :
       {"-c, --config", "-p, --port", "-b, --bind", "-r, --root", "-w, --workers", "-m, --model",
        "--threads", "-q, --quiet", "-d, --daemon", "--pid-file", "-t, --test-config",
        "-s, --signal", "-V, --version", "-h, --help"}) {
    EXPECT_NE(text.find(flag), std::string::npos) << flag;
  }
}

TEST(ParseCli, ThreadsRangeSetsBothEnds) {
  const Config config = applied({"--threads", "3..40", "-m", "threads-queue"});
  EXPECT_EQ(config.min_threads, 3U);
  EXPECT_EQ(config.threads, 40U);
  EXPECT_EQ(config.worker_model, WorkerModel::ThreadsQueue);
  EXPECT_EQ(parseError({"--threads", "9..3"}),
            "--threads: expected a number of threads 1-1024, or a range MIN..MAX like 4..64, "
            "got '9..3'");
}

// ---- the master's flags, recorded for -s ---------------------------------------------------

TEST(ConfigArgs, ParseBackToTheSameConfiguration) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {},
           {"-c", "/etc/x.yaml", "-p", "81", "-b", "[::1]", "-r", "/srv", "-w", "3", "-m",
            "threads-queue", "--threads", "2..9", "-q", "--pid-file", "/run/x.pid", "-d"},
           {"-w", "auto", "--threads", "5", "-p", "0", "-s", "reload"},
           {"-c", "-odd name.yaml", "-b", "127.0.0.1:90"}}) {
    const CliOptions original = parseOk(args);
    const CliOptions back = parseOk(configArgs(original));
    EXPECT_EQ(back.action, CliAction::Run);
    EXPECT_FALSE(back.daemon);
    EXPECT_EQ(applied(configArgs(original)), applied(args)) << ::testing::PrintToString(args);
    EXPECT_EQ(back.config_file, original.config_file);
    EXPECT_EQ(back.pid_file, original.pid_file);
  }
}

TEST(WithAbsolutePaths, AnchorsTheRelativePathsOfTheCommandLine) {
  const CliOptions relative =
      withAbsolutePaths(parseOk({"-c", "build/run.yaml", "-r", "./www", "--pid-file",
                                 "build/../x.pid", "-b", "127.0.0.1"}),
                        "/home/u/src");
  EXPECT_EQ(relative.config_file, "/home/u/src/build/run.yaml");
  EXPECT_EQ(relative.root, "/home/u/src/www");
  EXPECT_EQ(relative.pid_file, "/home/u/src/x.pid");
  EXPECT_EQ(relative.bind, "127.0.0.1");
  const CliOptions absolute =
      withAbsolutePaths(parseOk({"-c", "/etc/x.yaml", "-r", "/srv/"}), "/home/u");
  EXPECT_EQ(absolute.config_file, "/etc/x.yaml");
  EXPECT_EQ(absolute.root, "/srv/");
  EXPECT_FALSE(absolute.pid_file);
}

}  // namespace
}  // namespace learnhttpd::config
