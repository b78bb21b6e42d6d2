// SPDX-License-Identifier: MIT
// learnhttpd: parse the command line, load the configuration, hand over to the master.

#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "config/cli.hpp"
#include "config/config_loader.hpp"
#include "log/journal_sink.hpp"
#include "log/log.hpp"
#include "master/control.hpp"
#include "master/master.hpp"
#include "master/preflight.hpp"
#include "master/status_client.hpp"

using namespace learnhttpd;

namespace {

constexpr int kExitUsage = 2;

// The file, then the flags over it. Without -c the packaged file is used when installed; a
// source checkout runs on the built-in defaults. Throws config::ConfigError.
config::Config loadConfig(const config::CliOptions& cli) {
  config::Config config;
  std::string fallback(config::kDefaultConfigPath);
  if (cli.config_file) {
    config = config::loadConfigFile(*cli.config_file);
  } else if (std::filesystem::exists(fallback)) {
    config = config::loadConfigFile(fallback);
  }
  config::applyCli(cli, config);
  return config;
}

// What a start, a reload or -t would trip over (master/preflight.hpp: one code path for all of
// them), one line each on stderr (critical when it stops a start). Nullopt when there is any
// problem; else the warnings.
std::optional<std::vector<std::string>> passesPreflight(const config::Config& config,
                                                        const master::PreflightOptions& options,
                                                        bool starting) {
  master::Preflight checked = master::preflight(config, options);
  const char* prefix = starting ? log::stderrCriticalPrefix() : log::stderrErrorPrefix();
  for (const std::string& problem : checked.errors) {
    (void)std::fprintf(stderr, "%slearnhttpd: %s: %s\n", prefix, config.source.c_str(),
                       problem.c_str());
  }
  if (!checked.errors.empty()) return std::nullopt;
  return std::move(checked.warnings);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  auto parsed = config::parseCli(args);
  if (auto* error = std::get_if<config::CliError>(&parsed)) {
    (void)std::fprintf(stderr, "learnhttpd: %s\n%s", error->message.c_str(),
                       config::usage().c_str());
    return kExitUsage;
  }
  const auto cli = std::get<config::CliOptions>(parsed);
  if (cli.action == config::CliAction::Help) {
    (void)std::fputs(config::usage().c_str(), stdout);
    return 0;
  }
  if (cli.action == config::CliAction::Version) {
    (void)std::printf("learnhttpd %s\n", LEARNHTTPD_VERSION);
    return 0;
  }
  config::Config config;
  try {
    config = loadConfig(cli);
  } catch (const config::ConfigError& e) {
    (void)std::fprintf(stderr, "%slearnhttpd: %s\n", log::stderrErrorPrefix(), e.what());
    return 1;
  }
  const bool test = cli.action == config::CliAction::TestConfig;
  const bool reload = cli.action == config::CliAction::Signal && cli.signal == "reload";
  const bool start = cli.action == config::CliAction::Run;
  std::vector<std::string> warnings;
  if (test || reload || start) {
    master::PreflightOptions options;
    options.try_listeners = test;  // a start binds them for real; a reload keeps its own
    options.daemon = cli.daemon;
    auto passed = passesPreflight(config, options, start);
    if (!passed) return 1;
    warnings = std::move(*passed);
  }
  if (test) {
    (void)std::printf("learnhttpd: %s: configuration ok\n", config.source.c_str());
    for (const std::string& warning : warnings) {
      (void)std::printf("learnhttpd: warning: %s\n", warning.c_str());
    }
    return 0;
  }
  if (cli.action == config::CliAction::Signal && cli.signal == "status") {
    return master::printStatus(config);
  }
  if (cli.action == config::CliAction::Signal)
    return master::signalRunningMaster(config, cli.signal);
  std::string error;
  if (!log::setupErrorLog(config.log.error_log, config.log.level, master::workersUid(config),
                          error)) {
    (void)std::fprintf(stderr, "%slearnhttpd: cannot open error log %s\n", log::stderrErrorPrefix(),
                       error.c_str());
    return 1;
  }

  master::MasterOptions options;
  options.daemon = cli.daemon;
  options.reload_config = [cli] { return loadConfig(cli); };
  options.version = LEARNHTTPD_VERSION;
  options.warnings = std::move(warnings);
  return master::Master(std::move(config), std::move(options)).run();
}
