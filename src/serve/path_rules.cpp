// SPDX-License-Identifier: MIT
#include "serve/path_rules.hpp"

namespace learnhttpd::serve {

PathPattern::PathPattern(std::string_view pattern) {
  const std::size_t star = pattern.find('*');
  glob_ = star != std::string_view::npos;
  prefix_ = pattern.substr(0, star);
  if (glob_) suffix_ = pattern.substr(star + 1);
}

std::optional<std::string_view> PathPattern::match(std::string_view path) const noexcept {
  if (!glob_) return path == prefix_ ? std::optional<std::string_view>("") : std::nullopt;
  if (path.size() < prefix_.size() + suffix_.size() || !path.starts_with(prefix_) ||
      !path.ends_with(suffix_)) {
    return std::nullopt;
  }
  return path.substr(prefix_.size(), path.size() - prefix_.size() - suffix_.size());
}

namespace {

http::Status statusOf(int code) {
  switch (code) {
    case 302:
      return http::Status::Found;
    case 307:
      return http::Status::TemporaryRedirect;
    case 308:
      return http::Status::PermanentRedirect;
    default:
      return http::Status::MovedPermanently;
  }
}

}  // namespace

PathRules::PathRules(const std::vector<config::PathRuleConfig>& rules) {
  rules_.reserve(rules.size());
  for (const config::PathRuleConfig& rule : rules) {
    rules_.push_back(PathRule{PathPattern(rule.from), rule.to, statusOf(rule.status)});
  }
}

RuleMatch PathRules::match(std::string_view path) const noexcept {
  for (const PathRule& rule : rules_) {
    if (std::optional<std::string_view> captured = rule.from.match(path)) {
      return {&rule, *captured};
    }
  }
  return {};
}

bool rewrittenPath(std::string_view to, std::string_view captured, std::string& out) {
  const std::size_t star = to.find('*');
  std::string joined(to.substr(0, star));
  if (star != std::string_view::npos) {
    joined.append(captured);
    joined.append(to.substr(star + 1));
  }
  out.assign("/");
  std::size_t begin = 0;
  while (begin <= joined.size()) {
    std::size_t end = joined.find('/', begin);
    if (end == std::string::npos) end = joined.size();
    const std::string_view segment(joined.data() + begin, end - begin);
    if (segment == "..") {
      if (out.size() > 1) out.erase(out.rfind('/', out.size() - 2) + 1);
    } else if (!segment.empty() && segment != ".") {
      out.append(segment);
      if (end < joined.size()) out.push_back('/');
    }
    begin = end + 1;
  }
  return out.back() == '/';
}

}  // namespace learnhttpd::serve
