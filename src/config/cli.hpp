#pragma once
// Command-line parsing, and laying the flags over a loaded Config. No exceptions escape.

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "config/config.hpp"

namespace learnhttpd::config {

enum class CliAction { Run, TestConfig, Signal, Version, Help };

struct CliOptions {
  CliAction action = CliAction::Run;
  std::optional<std::string> config_file;  // -c FILE
  std::optional<std::uint16_t> port;       // -p PORT
  std::optional<std::string> bind;         // -b ADDR (host, or host:port, "[v6]:port")
  std::optional<std::string> root;         // -r ROOT
  std::optional<unsigned> workers;         // -w N ("auto" -> 0)
  std::optional<WorkerModel> model;        // -m event|threadpool
  std::optional<unsigned> threads;         // --threads N
  bool quiet = false;                      // -q
  bool daemon = false;                     // -d / --daemon
  std::optional<std::string> pid_file;     // --pid-file FILE
  std::string signal;                      // -s reload|stop|quit|reopen
};

struct CliError {
  std::string message;  // one line, without the program name or usage
};

using CliResult = std::variant<CliOptions, CliError>;

// Parses argv (argv[0] is skipped). Unknown flags, missing or bad values -> CliError.
CliResult parseCli(const std::vector<std::string>& args);

// Applies the flags that override the file; throws ConfigError when -b is not an address.
void applyCli(const CliOptions& cli, Config& config);

// The usage text printed by -h and after a CLI error.
std::string usage();

}  // namespace learnhttpd::config
