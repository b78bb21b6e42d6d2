// SPDX-License-Identifier: MIT
#pragma once
// CORS (the Fetch standard's CORS protocol; config cors): which origins may read the answers
// of a path prefix from script, and the fields that say so -- on the answers themselves, and
// on the 204 to a preflight (an OPTIONS with Origin and Access-Control-Request-Method), which
// states exactly the configured methods, headers and max-age, whatever the request asked for.
// The origin named back is the configured one (or "*"), never the request's bytes. Every
// field line is built once per worker. Pure; immutable after construction.

#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace learnhttpd::serve {

class CorsRule {
 public:
  explicit CorsRule(const config::CorsRuleConfig& rule);

  const std::string& prefix() const noexcept { return prefix_; }
  bool always() const noexcept { return always_; }
  // The fields for an answer to a request from `origin` (the raw Origin value; empty when the
  // request had none): Access-Control-Allow-Origin (and -Credentials) when the origin may,
  // and Vary: Origin whenever the answer depends on it (a list of origins, not "*").
  void appendAnswerFields(std::string_view origin, std::string& out) const;
  // The fields of the 204 to a preflight from `origin`; false (nothing appended but Vary) when
  // the origin may not: the browser then refuses the request itself.
  bool appendPreflightFields(std::string_view origin, std::string& out) const;

 private:
  // The configured origin `origin` is (compared as the serialized origins browsers send: ASCII
  // case-insensitively), or nullptr.
  const std::string* match(std::string_view origin) const noexcept;

  std::string prefix_;
  std::vector<std::string> origins_;  // "Access-Control-Allow-Origin: <origin>\r\n" per origin
  std::vector<std::string> names_;    // the origins themselves, lower case
  bool any_ = false;
  bool always_ = false;
  std::string credentials_;  // "Access-Control-Allow-Credentials: true\r\n" or empty
  std::string preflight_;    // methods, headers and max-age lines
};

}  // namespace learnhttpd::serve
