// SPDX-License-Identifier: MIT
#pragma once
// Response fields by path: the `headers` rules of the configuration, matched against a request's
// decoded path. Pure: no I/O; built once per worker, then only read (safe from any thread).

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace learnhttpd::http {

struct HeaderRule {
  // "/prefix/" matches every path that starts with it (a plain string prefix of the decoded
  // path); "*.ext" every path ending in ".ext", compared case-insensitively.
  std::string match;
  std::vector<std::pair<std::string, std::string>> fields;  // name, value: validated already
};

class HeaderRules {
 public:
  HeaderRules() = default;
  explicit HeaderRules(std::vector<HeaderRule> rules);

  bool empty() const noexcept { return rules_.empty(); }

  // Appends "Name: value\r\n" for the fields of every rule matching `path`, in rule order; a
  // name set by several matching rules (compared case-insensitively) is sent once, with the
  // value of the last of them.
  void appendFields(std::string_view path, std::string& out) const;

 private:
  bool matches(const HeaderRule& rule, std::string_view path) const noexcept;
  bool setLater(std::size_t rule, std::string_view name, std::string_view path) const noexcept;

  std::vector<HeaderRule> rules_;
};

}  // namespace learnhttpd::http
