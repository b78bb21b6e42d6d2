// SPDX-License-Identifier: MIT
#pragma once
// Properties that must hold for parse() and decodeTarget() on ANY input bytes. Shared by the
// libFuzzer target and by the unit test that replays the regression corpus without clang.

#include <string>
#include <string_view>

#include "http/host.hpp"
#include "http/request_parser.hpp"
#include "http/target.hpp"

namespace learnhttpd::fuzz {

// isHiddenPath said another way, component by component: whatever decoding made of a target,
// a component starting with '.' in it is seen (only a first ".well-known" is let through).
inline bool hasDotComponent(std::string_view path) {
  bool first = true;
  while (!path.empty()) {
    path.remove_prefix(1);  // the '/' before the component (decoded paths start with one)
    const std::string_view component = path.substr(0, path.find('/'));
    if (!component.empty() && component.front() == '.' && !(first && component == ".well-known")) {
      return true;
    }
    path.remove_prefix(component.size());
    first = false;
  }
  return false;
}

// Returns nullptr when every invariant holds, else a description of the first violation.
inline const char* checkDecodedPath(std::string_view target) {
  std::string out;
  const http::TargetPath t = http::decodeTarget(target, out);
  if (!t.ok) return out.empty() ? nullptr : "failed decode left output behind";
  if (out.empty() || out.front() != '/') return "decoded path does not start with '/'";
  if (out.find('\0') != std::string::npos) return "decoded path contains NUL";
  if (out.find("//") != std::string::npos) return "decoded path contains '//'";
  if ((out.back() == '/') != t.trailing_slash) return "trailing_slash disagrees with path";
  const std::string padded = out + "/";
  if (padded.find("/./") != std::string::npos || padded.find("/../") != std::string::npos) {
    return "decoded path keeps a dot-segment";
  }
  if (http::isHiddenPath(out) != hasDotComponent(out)) {
    return "isHiddenPath disagrees with the components of the decoded path";
  }
  return nullptr;
}

inline const char* checkParse(std::string_view bytes, const http::ParseLimits& limits) {
  const http::ParseResult r = http::parse(bytes, limits);
  if (const auto* e = std::get_if<http::ParseError>(&r)) {
    const int c = http::code(e->status);
    if (c != 400 && c != 414 && c != 431 && c != 501 && c != 505) return "unexpected error status";
    return nullptr;
  }
  const auto* done = std::get_if<http::Complete>(&r);
  if (done == nullptr) return nullptr;
  if (done->consumed == 0 || done->consumed > bytes.size()) return "consumed out of range";
  if (bytes.substr(0, done->consumed).substr(done->consumed - 4) != "\r\n\r\n") {
    return "head does not end with an empty line";
  }
  const http::Request& q = done->request;
  if (q.target.empty() || q.method_text.empty()) return "empty method or target";
  if (q.version_minor != 0 && q.version_minor != 1) return "impossible version";
  if (q.version_minor == 1 && !q.has_host) return "HTTP/1.1 accepted without Host";
  if (q.has_host && !http::isValidHost(q.host)) return "invalid Host accepted";
  if (q.chunked && q.content_length != 0) return "both chunked and Content-Length accepted";
  if (q.target.front() == '*' && (q.target != "*" || q.method != http::Method::Options)) {
    return "asterisk-form accepted other than as OPTIONS *";
  }
  if ((q.method == http::Method::Options) != (q.method_text == "OPTIONS")) {
    return "OPTIONS classified by anything but its exact name";
  }
  // Re-parsing exactly the consumed bytes must give the same answer: no look-ahead.
  const http::ParseResult again = http::parse(bytes.substr(0, done->consumed), limits);
  const auto* same = std::get_if<http::Complete>(&again);
  if (same == nullptr || same->consumed != done->consumed) return "result depends on later bytes";
  return checkDecodedPath(q.target);
}

// Everything at once: default limits, tiny limits (to exercise 414/431 paths), and the raw
// bytes taken as a target.
inline const char* checkAll(std::string_view bytes) {
  if (const char* e = checkParse(bytes, http::ParseLimits{})) return e;
  if (const char* e = checkParse(bytes, http::ParseLimits{16, 48})) return e;
  return checkDecodedPath(bytes);
}

}  // namespace learnhttpd::fuzz
