// SPDX-License-Identifier: MIT
#pragma once
// Command-line parsing, and laying the flags over a loaded Config. No exceptions escape.

#include <cstdint>
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
  std::optional<WorkerModel> model;        // -m NAME (config::modelNamed)
  std::optional<unsigned> threads;         // --threads N or MIN..MAX: N / MAX
  unsigned min_threads = 0;                // --threads MIN..MAX: MIN (0 with N)
  bool quiet = false;                      // -q
  bool daemon = false;                     // -d / --daemon
  std::optional<std::string> pid_file;     // --pid-file FILE
  std::string signal;                      // -s reload|stop|quit|reopen|status
};

struct CliError {
  std::string message;  // one line, without the program name or usage
};

using CliResult = std::variant<CliOptions, CliError>;

// Parses argv (argv[0] is skipped). Unknown flags, missing or bad values, positional
// arguments, and -t together with -s -> CliError. -h wins over -V, which wins over -t/-s.
// Re-entrant: no global state (getopt is not used).
CliResult parseCli(const std::vector<std::string>& args);

// Applies the flags that override the file; throws ConfigError when -b is not an address, or
// when redirect_to_https is on and the one address left does not speak TLS.
// Listen rule: with -b, `listen` becomes exactly ONE address: -b's host, and the port of -p
// (else -b's port, else the first configured port). -p alone moves the configured addresses
// that share the first one's port (and its "ssl" or not) to PORT and drops the others, so a
// dual-stack ["0.0.0.0:80", "[::]:80"] stays dual-stack on PORT. -r, -w, -m, --threads and
// --pid-file replace their settings; -q sets log.quiet. -c, -d and the actions are for main() and
// leave `config` alone.
void applyCli(const CliOptions& cli, Config& config);

// The configuration `cli` names: the file of -c, else kDefaultConfigPath when it exists (an
// installed package), else the built-in defaults (a source checkout); then the flags over it
// (applyCli). Throws ConfigError.
Config loadConfig(const CliOptions& cli);

// `cli` with the paths of -c, -r and --pid-file made absolute against `directory` (itself
// absolute). The master keeps these, so that a daemon, which has changed to "/", still
// re-reads the same files on a reload.
CliOptions withAbsolutePaths(CliOptions cli, const std::string& directory);

// The flags that make `cli`'s configuration (-c, -p, -b, -r, -w, -m, --threads, -q,
// --pid-file), without the program name and without -d or an action: parseCli of
// {"learnhttpd", configArgs(cli)...} gives back options with the same configuration. What the
// master records for -s (sys/start_record.hpp).
std::vector<std::string> configArgs(const CliOptions& cli);

// The usage text printed by -h (a CLI error prints one line that points at -h).
std::string usage();

}  // namespace learnhttpd::config
