// SPDX-License-Identifier: MIT
#pragma once
// Path rules: the redirects and rewrites of a site (config redirects, rewrites), matched
// against the decoded, normalised request path. A pattern is a path matched exactly, or holds
// one '*' that stands for any run of bytes; matching is one prefix and one suffix compare, so
// no client path can make it expensive (no regular expressions, no backtracking). The first
// rule that matches wins. Pure; immutable after construction.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "http/status.hpp"

namespace learnhttpd::serve {

class PathPattern {
 public:
  explicit PathPattern(std::string_view pattern);
  // What the '*' matched ("" for an exact pattern), or nullopt when `path` does not match.
  std::optional<std::string_view> match(std::string_view path) const noexcept;

 private:
  std::string prefix_;
  std::string suffix_;
  bool glob_ = false;
};

struct PathRule {
  PathPattern from;
  std::string to;
  http::Status status = http::Status::MovedPermanently;
};

struct RuleMatch {
  const PathRule* rule = nullptr;  // nullptr: no rule matched
  std::string_view captured;       // views the path given to match()
};

class PathRules {
 public:
  explicit PathRules(const std::vector<config::PathRuleConfig>& rules);
  bool empty() const noexcept { return rules_.empty(); }
  RuleMatch match(std::string_view path) const noexcept;

 private:
  std::vector<PathRule> rules_;
};

// The path a rewrite leads to: `to` with its '*' replaced by `captured`, then normalised as
// http::decodeTarget normalises (no "." or ".." segment, no "//"; ".." never climbs above
// "/"), into `out`. True when it names a directory (ends with '/').
bool rewrittenPath(std::string_view to, std::string_view captured, std::string& out);

}  // namespace learnhttpd::serve
