// SPDX-License-Identifier: MIT
// learnhttpd: parse the command line, load the configuration, hand over to the master.

#include <cstdio>
#include <filesystem>
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

// What a start or a reload would trip over, one line each on stderr; true when nothing.
bool passesPreflight(const config::Config& config) {
  const std::vector<std::string> problems = master::preflight(config);
  for (const std::string& problem : problems) {
    (void)std::fprintf(stderr, "%slearnhttpd: %s: %s\n", log::stderrErrorPrefix(),
                       config.source.c_str(), problem.c_str());
  }
  return problems.empty();
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  auto parsed = config::parseCli(args);
  if (auto* error = std::get_if<config::CliError>(&parsed)) {
    // One line, as the GNU tools do: the full help would push the reason off the screen.
    (void)std::fprintf(stderr, "learnhttpd: %s (see learnhttpd -h)\n", error->message.c_str());
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
  const bool reload = cli.action == config::CliAction::Signal && cli.signal == "reload";
  if ((cli.action == config::CliAction::TestConfig || reload) && !passesPreflight(config)) {
    return 1;
  }
  if (cli.action == config::CliAction::TestConfig) {
    (void)std::printf("learnhttpd: %s: configuration ok\n", config.source.c_str());
    if (auto warning = config::modelWarning(config.worker_model); !warning.empty()) {
      (void)std::printf("learnhttpd: warning: %.*s\n", static_cast<int>(warning.size()),
                        warning.data());
    }
    for (const std::string& warning : master::preflightWarnings(config)) {
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
  if (!log::setupErrorLog(config.log.error_log, config.log.level, error)) {
    (void)std::fprintf(stderr, "%slearnhttpd: cannot open error log %s\n", log::stderrErrorPrefix(),
                       error.c_str());
    return 1;
  }
  master::MasterOptions options;
  options.daemon = cli.daemon;
  options.reload_config = [cli] { return loadConfig(cli); };
  options.version = LEARNHTTPD_VERSION;
  return master::Master(std::move(config), std::move(options)).run();
}
