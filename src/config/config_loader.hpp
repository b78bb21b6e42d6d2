// SPDX-License-Identifier: MIT
#pragma once
// Loading a Config from YAML. The only place (with cli.*) that throws: ConfigError's what()
// is one line naming file, line and key, e.g.
//   "etc/x.yaml:7: keepalive_timeout: expected a duration like 75s or 500ms, got 'soon'"

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "config/value_parsers.hpp"

namespace learnhttpd::config {

class ConfigError : public std::runtime_error {
 public:
  // Control characters of `message` (from the file: a value, or yaml-cpp's echo of a bad
  // byte) are shown as \xNN, so the message stays one line and no escape sequence from a
  // file reaches a terminal or a log.
  explicit ConfigError(const std::string& message);
};

// Default location of the config file when -c is not given.
inline constexpr std::string_view kDefaultConfigPath = "/etc/learnhttpd/learnhttpd.yaml";

// Reads and validates `path`. Throws ConfigError (file missing/unreadable, YAML syntax error,
// unknown key, wrong type, value out of range), always naming the file and, where known, the
// line and key. The shapes of the message:
//   "FILE: cannot read: REASON"                     (strerror text)
//   "FILE:LINE:COL: MESSAGE"                         (YAML syntax, as yaml-cpp words it)
//   "FILE:LINE: unknown key 'KEY', did you mean 'KNOWN'?"   (the suggestion only when close)
//   "FILE:LINE: duplicate key 'KEY'"
//   "FILE:LINE: KEY: expected WHAT, got 'VALUE'"    (or got a list / a mapping / nothing)
// Nested keys are named "log.level"; LINE is 1-based. An empty file, or one holding only
// comments, gives the defaults.
//
// `include:` (a path, a glob like conf.d/*.yaml, or a list of them; relative to the including
// file's folder) reads more files of the same top-level keys, as if their settings stood in
// the including file; an included file may include in turn, at most 8 deep. Errors in an
// included file name that file; the others, at the `include:` item:
//   "FILE:LINE: include: PATH: cannot read: REASON"   (a named file; a glob may match nothing)
//   "FILE:LINE: include: PATH is already part of the configuration (...)"   (twice, a cycle)
//   "FILE:LINE: duplicate key 'KEY', already set at OTHER:LINE"   (a key set in two files)
// Config::source is `path`, the main file.
Config loadConfigFile(const std::string& path);

// The same, from YAML text; `source_name` is used in messages and stored in Config::source.
// No file was read, so `include:` is an error.
Config loadConfigString(std::string_view yaml, const std::string& source_name);

// Every key the loader accepts: the top-level ones ("include" among them) and the named keys of
// the mappings under them ("log.level", "gzip.types", "tls.certificates"). Not the free keys
// of mime_types, error_pages or a header rule. For the tests that the documentation is complete.
std::vector<std::string> settingNames();

}  // namespace learnhttpd::config
