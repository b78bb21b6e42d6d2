// SPDX-License-Identifier: MIT
// A hand-written option loop rather than getopt_long: getopt keeps its state in globals
// (optind, optarg, opterr), which makes it awkward to call twice, and its error messages are
// not ours. The accepted syntax is getopt's: "-p 80", "-p80", "-qd", "--port 80", "--port=80",
// and "--" ending the options.

#include "config/cli.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <limits>
#include <stdexcept>
#include <string_view>

#include "config/config_loader.hpp"

namespace learnhttpd::config {
namespace {

constexpr std::string_view kBindExpected =
    "expected an address like 127.0.0.1, [::1], *:8080 or 8080";

struct BindAddress {
  std::string host;
  std::optional<std::uint16_t> port;
};

// -b takes a host alone as well as everything `listen` takes.
std::optional<BindAddress> parseBind(std::string_view text) {
  try {
    return BindAddress{parseListenHost(text), std::nullopt};
  } catch (const std::invalid_argument&) {
  }
  try {
    ListenAddress address = parseListenAddress(text);
    return BindAddress{std::move(address.host), address.port};
  } catch (const std::invalid_argument&) {
  }
  return std::nullopt;
}

using Error = std::optional<std::string>;

Error expected(std::string_view flag, std::string_view what, std::string_view value) {
  return std::string(flag) + ": " + std::string(what) + ", got '" + std::string(value) + "'";
}

// ---- one handler per option; `flag` is the option as the user spelled it --------------------

// The pending action flags, resolved once every argument is read.
struct Actions {
  bool help = false;
  bool version = false;
  bool test_config = false;
  bool signal = false;
};

struct State {
  CliOptions options;
  Actions actions;
};

using Handler = Error (*)(State&, std::string_view flag, std::string_view value);

Error setText(std::optional<std::string>& field, std::string_view flag, std::string_view value,
              std::string_view what) {
  if (value.empty()) {
    return expected(flag, what, value);
  }
  field = std::string(value);
  return std::nullopt;
}

Error setCount(std::optional<unsigned>& field, std::string_view flag, std::string_view value,
               std::string_view what) {
  const auto number = parseUnsigned(value, 1024);
  if (!number || *number == 0) {
    return expected(flag, what, value);
  }
  field = static_cast<unsigned>(*number);
  return std::nullopt;
}

Error onConfig(State& s, std::string_view flag, std::string_view value) {
  return setText(s.options.config_file, flag, value, "expected a file name");
}

Error onPort(State& s, std::string_view flag, std::string_view value) {
  const auto port = parseUnsigned(value, std::numeric_limits<std::uint16_t>::max());
  if (!port) {
    return expected(flag, "expected a port number 0-65535", value);
  }
  s.options.port = static_cast<std::uint16_t>(*port);
  return std::nullopt;
}

Error onBind(State& s, std::string_view flag, std::string_view value) {
  if (!parseBind(value)) {
    return expected(flag, kBindExpected, value);
  }
  s.options.bind = std::string(value);
  return std::nullopt;
}

Error onRoot(State& s, std::string_view flag, std::string_view value) {
  return setText(s.options.root, flag, value, "expected a directory path");
}

Error onWorkers(State& s, std::string_view flag, std::string_view value) {
  if (value == "auto") {
    s.options.workers = 0;
    return std::nullopt;
  }
  return setCount(s.options.workers, flag, value, "expected a number of workers 1-1024 or auto");
}

Error onModel(State& s, std::string_view flag, std::string_view value) {
  s.options.model = modelNamed(value);
  if (!s.options.model) {
    return expected(flag, "expected one of " + modelNames(), value);
  }
  return std::nullopt;
}

Error onThreads(State& s, std::string_view flag, std::string_view value) {
  const auto range = parseThreads(value);
  if (!range) {
    return expected(flag, "expected a number of threads 1-1024, or a range MIN..MAX like 4..64",
                    value);
  }
  s.options.threads = range->second;
  s.options.min_threads = range->first;
  return std::nullopt;
}

Error onPidFile(State& s, std::string_view flag, std::string_view value) {
  return setText(s.options.pid_file, flag, value, "expected a file path");
}

Error onSignal(State& s, std::string_view flag, std::string_view value) {
  constexpr std::array<std::string_view, 5> kSignals = {"reload", "stop", "quit", "reopen",
                                                        "status"};
  if (std::find(kSignals.begin(), kSignals.end(), value) == kSignals.end()) {
    return expected(flag, "expected reload, stop, quit, reopen or status", value);
  }
  s.options.signal = std::string(value);
  s.actions.signal = true;
  return std::nullopt;
}

Error onQuiet(State& s, std::string_view, std::string_view) {
  s.options.quiet = true;
  return std::nullopt;
}

Error onDaemon(State& s, std::string_view, std::string_view) {
  s.options.daemon = true;
  return std::nullopt;
}

Error onTestConfig(State& s, std::string_view, std::string_view) {
  s.actions.test_config = true;
  return std::nullopt;
}

Error onVersion(State& s, std::string_view, std::string_view) {
  s.actions.version = true;
  return std::nullopt;
}

Error onHelp(State& s, std::string_view, std::string_view) {
  s.actions.help = true;
  return std::nullopt;
}

struct Option {
  char short_name;             // '\0' when the option has only a long name
  std::string_view long_name;  // without the leading "--"
  bool takes_value;
  Handler handle;
};

constexpr std::array kOptions = {
    Option{'c', "config", true, onConfig},
    Option{'p', "port", true, onPort},
    Option{'b', "bind", true, onBind},
    Option{'r', "root", true, onRoot},
    Option{'w', "workers", true, onWorkers},
    Option{'m', "model", true, onModel},
    Option{'\0', "threads", true, onThreads},
    Option{'q', "quiet", false, onQuiet},
    Option{'d', "daemon", false, onDaemon},
    Option{'\0', "pid-file", true, onPidFile},
    Option{'t', "test-config", false, onTestConfig},
    Option{'s', "signal", true, onSignal},
    Option{'V', "version", false, onVersion},
    Option{'h', "help", false, onHelp},
};

const Option* findShort(char name) {
  const auto it = std::find_if(kOptions.begin(), kOptions.end(),
                               [&](const Option& o) { return o.short_name == name; });
  return it == kOptions.end() ? nullptr : &*it;
}

const Option* findLong(std::string_view name) {
  const auto it = std::find_if(kOptions.begin(), kOptions.end(),
                               [&](const Option& o) { return o.long_name == name; });
  return it == kOptions.end() ? nullptr : &*it;
}

// ---- the loop -------------------------------------------------------------------------------

class Parser {
 public:
  explicit Parser(const std::vector<std::string>& args) : args_(args) {}

  CliResult run() {
    bool options_ended = false;
    for (next_ = 1; next_ < args_.size();) {
      const std::string_view arg = args_[next_++];
      Error error;
      if (options_ended || arg == "-" || !arg.starts_with('-')) {
        error = "unexpected argument '" + std::string(arg) + "'";
      } else if (arg == "--") {
        options_ended = true;
      } else if (arg.starts_with("--")) {
        error = parseLong(arg);
      } else {
        error = parseShortGroup(arg);
      }
      if (error) {
        return CliError{*error};
      }
    }
    return finish();
  }

 private:
  Error parseLong(std::string_view arg) {
    const std::size_t equals = arg.find('=');
    const std::string_view flag = arg.substr(0, equals);
    const Option* option = findLong(flag.substr(2));
    if (option == nullptr) {
      return "unknown option '" + std::string(flag) + "'";
    }
    if (equals != std::string_view::npos) {
      if (!option->takes_value) {
        return "option '" + std::string(flag) + "' takes no value";
      }
      return option->handle(state_, flag, arg.substr(equals + 1));
    }
    return takeValueAndHandle(*option, flag, "");
  }

  // "-qd" is -q -d; "-p8080" is -p 8080: once an option takes a value, the rest is its value.
  Error parseShortGroup(std::string_view arg) {
    for (std::size_t i = 1; i < arg.size(); ++i) {
      const std::string flag = std::string("-") + arg[i];
      const Option* option = findShort(arg[i]);
      if (option == nullptr) {
        return "unknown option '" + flag + "'";
      }
      if (option->takes_value) {
        return takeValueAndHandle(*option, flag, arg.substr(i + 1));
      }
      if (Error error = option->handle(state_, flag, "")) {
        return error;
      }
    }
    return std::nullopt;
  }

  Error takeValueAndHandle(const Option& option, std::string_view flag, std::string_view attached) {
    if (!option.takes_value) {
      return option.handle(state_, flag, "");
    }
    if (!attached.empty()) {
      return option.handle(state_, flag, attached);
    }
    if (next_ >= args_.size()) {
      return "option '" + std::string(flag) + "' needs a value";
    }
    return option.handle(state_, flag, args_[next_++]);
  }

  CliResult finish() {
    const Actions& a = state_.actions;
    CliOptions& options = state_.options;
    if (a.help) {
      options.action = CliAction::Help;
    } else if (a.version) {
      options.action = CliAction::Version;
    } else if (a.test_config && a.signal) {
      return CliError{"-t and -s cannot be used together"};
    } else if (a.test_config) {
      options.action = CliAction::TestConfig;
    } else if (a.signal) {
      options.action = CliAction::Signal;
    }
    return options;
  }

  const std::vector<std::string>& args_;
  std::size_t next_ = 1;
  State state_;
};

ListenAddress firstListen(const Config& config) {
  return config.listen.empty() ? ListenAddress{} : config.listen.front();
}

// -p alone: the addresses on the first address's port, speaking what it speaks (0.0.0.0:80 and
// [::]:80 of a dual-stack file), move to `port`; the others go.
std::vector<ListenAddress> movedToPort(const Config& config, std::uint16_t port) {
  const ListenAddress first = firstListen(config);
  std::vector<ListenAddress> moved;
  for (const ListenAddress& address : config.listen) {
    if (address.port == first.port && address.tls == first.tls) {
      moved.push_back(address);
      moved.back().port = port;
    }
  }
  if (moved.empty()) moved.push_back(ListenAddress{first.host, port, first.tls});
  return moved;
}

}  // namespace

CliResult parseCli(const std::vector<std::string>& args) {
  try {
    return Parser(args).run();
  } catch (const std::exception& e) {
    // Only allocation failures can get here; the contract is that nothing escapes.
    return CliError{e.what()};
  }
}

void applyCli(const CliOptions& cli, Config& config) {
  if (cli.bind) {
    ListenAddress address = firstListen(config);
    std::optional<BindAddress> bind = parseBind(*cli.bind);
    if (!bind) {
      throw ConfigError("-b: " + std::string(kBindExpected) + ", got '" + *cli.bind + "'");
    }
    address.host = std::move(bind->host);
    address.port = cli.port.value_or(bind->port.value_or(address.port));
    config.listen = {address};
  } else if (cli.port) {
    config.listen = movedToPort(config, *cli.port);
  }
  if (cli.bind || cli.port) {
    // The file's addresses passed the loader's check; the one left now must too.
    if (std::string problem = httpsRedirectProblem(config); !problem.empty()) {
      throw ConfigError(std::string(cli.bind ? "-b" : "-p") + ": " + problem);
    }
  }
  if (cli.root) {
    config.document_root = *cli.root;
    for (SiteConfig& site : config.sites) {
      if (!site.own_document_root) site.document_root = *cli.root;  // the default it inherits
    }
  }
  config.workers = cli.workers.value_or(config.workers);
  config.worker_model = cli.model.value_or(config.worker_model);
  if (cli.threads) {
    config.threads = *cli.threads;
    config.min_threads = cli.min_threads;
  }
  config.pid_file = cli.pid_file.value_or(config.pid_file);
  config.log.quiet = config.log.quiet || cli.quiet;
}

Config loadConfig(const CliOptions& cli) {
  Config config;
  const std::string fallback(kDefaultConfigPath);
  if (cli.config_file) {
    config = loadConfigFile(*cli.config_file);
  } else if (std::filesystem::exists(fallback)) {
    config = loadConfigFile(fallback);
  }
  applyCli(cli, config);
  return config;
}

CliOptions withAbsolutePaths(CliOptions cli, const std::string& directory) {
  const auto absolute = [&](std::optional<std::string>& path) {
    if (path && !path->starts_with('/')) {
      path = (std::filesystem::path(directory) / *path).lexically_normal().string();
    }
  };
  absolute(cli.config_file);
  absolute(cli.root);
  absolute(cli.pid_file);
  return cli;
}

std::vector<std::string> configArgs(const CliOptions& cli) {
  std::vector<std::string> args;
  const auto add = [&](const char* flag, const std::string& value) {
    args.emplace_back(flag);
    args.push_back(value);
  };
  if (cli.config_file) add("-c", *cli.config_file);
  if (cli.port) add("-p", std::to_string(*cli.port));
  if (cli.bind) add("-b", *cli.bind);
  if (cli.root) add("-r", *cli.root);
  if (cli.workers) add("-w", *cli.workers == 0 ? "auto" : std::to_string(*cli.workers));
  if (cli.model) add("-m", std::string(modelName(*cli.model)));
  if (cli.threads) {
    add("--threads", cli.min_threads == 0
                         ? std::to_string(*cli.threads)
                         : std::to_string(cli.min_threads) + ".." + std::to_string(*cli.threads));
  }
  if (cli.quiet) args.emplace_back("-q");
  if (cli.pid_file) add("--pid-file", *cli.pid_file);
  return args;
}

std::string usage() {
  return "Usage: learnhttpd [OPTIONS]\n"
         "A static-file HTTP server. Runs in the foreground unless -d is given.\n"
         "\n"
         "  -c, --config FILE        configuration file (default /etc/learnhttpd/learnhttpd.yaml)\n"
         "  -p, --port PORT          listen on this port (0-65535)\n"
         "  -b, --bind ADDR          listen on this address: HOST, HOST:PORT or [IPv6]:PORT\n"
         "  -r, --root DIR           document root\n"
         "  -w, --workers N|auto     number of worker processes (1-1024; auto = CPU count)\n"
         "  -m, --model MODEL        worker model: event (default), threadpool, or a teaching\n"
         "                           model (docs/models.md): blocking, process-per-connection,\n"
         "                           thread-per-connection, threads-accept, threads-queue,\n"
         "                           busy-poll (burns 100% CPU), select\n"
         "      --threads N|MIN..MAX threads per worker in the threadpool, threads-accept and\n"
         "                           threads-queue models (1-1024); MIN..MAX: threadpool and\n"
         "                           threads-queue grow and shrink their pools between the two\n"
         "  -q, --quiet              no per-request logging\n"
         "  -d, --daemon             detach from the terminal and write the pid file\n"
         "      --pid-file FILE      pid file path\n"
         "  -t, --test-config        check the configuration and exit (0 = valid)\n"
         "  -s, --signal SIGNAL      send reload, stop, quit or reopen to the running master;\n"
         "                           status: print its workers (needs status.listen)\n"
         "  -V, --version            print the version and exit\n"
         "  -h, --help               print this help and exit\n"
         "\n"
         "-b replaces the configured listen addresses with one: the host of -b and the port\n"
         "of -p (else of -b, else the first configured port). -p alone moves the addresses on\n"
         "the first configured port (e.g. 0.0.0.0:80 and [::]:80) to PORT and drops the others.\n";
}

}  // namespace learnhttpd::config
