// SPDX-License-Identifier: MIT
#include "http/header_rules.hpp"

#include "http/char_class.hpp"

namespace learnhttpd::http {
namespace {

bool equalsIgnoringCase(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (detail::toLowerAscii(a[i]) != detail::toLowerAscii(b[i])) return false;
  }
  return true;
}

}  // namespace

HeaderRules::HeaderRules(std::vector<HeaderRule> rules) : rules_(std::move(rules)) {}

bool HeaderRules::matches(const HeaderRule& rule, std::string_view path) const noexcept {
  const std::string_view match = rule.match;
  if (match.size() > 1 && match[0] == '*') {
    const std::string_view extension = match.substr(1);  // ".html"
    return path.size() >= extension.size() &&
           equalsIgnoringCase(path.substr(path.size() - extension.size()), extension);
  }
  return path.substr(0, match.size()) == match;
}

bool HeaderRules::setLater(std::size_t rule, std::string_view name,
                           std::string_view path) const noexcept {
  for (std::size_t later = rule + 1; later < rules_.size(); ++later) {
    for (const auto& field : rules_[later].fields) {
      if (equalsIgnoringCase(field.first, name) && matches(rules_[later], path)) return true;
    }
  }
  return false;
}

void HeaderRules::appendFields(std::string_view path, std::string& out) const {
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    if (!matches(rules_[i], path)) continue;
    for (const auto& [name, value] : rules_[i].fields) {
      if (setLater(i, name, path)) continue;
      out.append(name);
      out.append(": ");
      out.append(value);
      out.append("\r\n");
    }
  }
}

}  // namespace learnhttpd::http
