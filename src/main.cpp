// learnhttpd: parse the command line, load the configuration, hand over to the master.

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <variant>
#include <vector>

#include "config/cli.hpp"
#include "config/config_loader.hpp"
#include "log/log.hpp"
#include "master/master.hpp"

using namespace learnhttpd;

namespace {

constexpr int kExitUsage = 2;

config::Config loadConfig(const config::CliOptions& cli) {
  if (cli.config_file) return config::loadConfigFile(*cli.config_file);
  std::string fallback(config::kDefaultConfigPath);
  // Without -c, the packaged file is used when installed; a source checkout runs on defaults.
  if (std::filesystem::exists(fallback)) return config::loadConfigFile(fallback);
  return config::Config{};
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  auto parsed = config::parseCli(args);
  if (auto* error = std::get_if<config::CliError>(&parsed)) {
    std::fprintf(stderr, "learnhttpd: %s\n%s", error->message.c_str(), config::usage().c_str());
    return kExitUsage;
  }
  const auto& cli = std::get<config::CliOptions>(parsed);
  if (cli.action == config::CliAction::Help) {
    std::fputs(config::usage().c_str(), stdout);
    return 0;
  }
  if (cli.action == config::CliAction::Version) {
    std::printf("learnhttpd %s\n", LEARNHTTPD_VERSION);
    return 0;
  }
  config::Config config;
  try {
    config = loadConfig(cli);
    config::applyCli(cli, config);
  } catch (const config::ConfigError& e) {
    std::fprintf(stderr, "learnhttpd: %s\n", e.what());
    return 1;
  }
  if (cli.action == config::CliAction::TestConfig) {
    std::printf("learnhttpd: %s: configuration ok\n", config.source.c_str());
    return 0;
  }
  std::string error;
  if (!log::setupErrorLog(config.log.error_log, config.log.level, error)) {
    std::fprintf(stderr, "learnhttpd: cannot open error log %s\n", error.c_str());
    return 1;
  }
  return master::Master(std::move(config)).run();
}
