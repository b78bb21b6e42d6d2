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

using namespace learnhttpd;

namespace {

constexpr int kExitUsage = 2;

// Where relative paths of the command line start; "" when unknown (they stay relative then).
std::string workingDirectory() {
  std::error_code error;
  return std::filesystem::current_path(error).string();
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
  auto cli = std::get<config::CliOptions>(parsed);
  if (cli.action == config::CliAction::Help) {
    (void)std::fputs(config::usage().c_str(), stdout);
    return 0;
  }
  if (cli.action == config::CliAction::Version) {
    (void)std::printf("learnhttpd %s\n", LEARNHTTPD_VERSION);
    return 0;
  }
  if (cli.action == config::CliAction::Signal) return master::controlRunningMaster(cli);
  // The master holds absolute paths: after -d it runs in "/", and a reload re-reads these.
  if (cli.action == config::CliAction::Run)
    cli = config::withAbsolutePaths(cli, workingDirectory());
  config::Config config;
  try {
    config = config::loadConfig(cli);
  } catch (const config::ConfigError& e) {
    (void)std::fprintf(stderr, "%slearnhttpd: %s\n", log::stderrErrorPrefix(), e.what());
    return 1;
  }
  const bool test = cli.action == config::CliAction::TestConfig;
  master::PreflightOptions checks;
  checks.try_listeners = test;  // a start binds them for real
  checks.daemon = cli.daemon;
  std::optional<master::Preflight> passed =
      master::passesPreflight(config, checks, /*starting=*/!test);
  if (!passed) return 1;
  if (test) {
    (void)std::printf("learnhttpd: %s: configuration ok\n", config.source.c_str());
    for (const std::string& note : passed->notes) {
      (void)std::printf("learnhttpd: %s\n", note.c_str());
    }
    for (const std::string& warning : passed->warnings) {
      (void)std::printf("learnhttpd: warning: %s\n", warning.c_str());
    }
    return 0;
  }
  std::string error;
  if (!log::setupErrorLog(config.log.error_log, config.log.level, master::workersUid(config),
                          error)) {
    (void)std::fprintf(stderr, "%slearnhttpd: cannot open error log %s\n", log::stderrErrorPrefix(),
                       error.c_str());
    return 1;
  }
  master::MasterOptions options;
  options.daemon = cli.daemon;
  options.reload_config = [cli] { return config::loadConfig(cli); };
  options.start_args = config::configArgs(cli);
  options.version = LEARNHTTPD_VERSION;
  options.warnings = std::move(passed->warnings);
  return master::Master(std::move(config), std::move(options)).run();
}
