// SPDX-License-Identifier: MIT
#include "http/conditional.hpp"

#include <algorithm>
#include <charconv>

#include "http/char_class.hpp"
#include "http/http_date.hpp"

namespace learnhttpd::http {
namespace {

using detail::trimOws;

std::string_view withoutWeak(std::string_view tag) noexcept {
  if (tag.size() >= 2 && tag[0] == 'W' && tag[1] == '/') tag.remove_prefix(2);
  return tag;
}

}  // namespace

bool notModifiedSince(std::string_view if_modified_since, std::time_t mtime) noexcept {
  // RFC 9110 section 13.1.3: an invalid date means the condition is ignored, so the full
  // response is sent. HTTP dates have one-second resolution, hence the plain comparison.
  const std::optional<std::time_t> since = parseHttpDate(if_modified_since);
  return since.has_value() && mtime <= *since;
}

EntityTag::EntityTag(std::time_t mtime, std::uint64_t size, std::string_view coding,
                     bool weak) noexcept {
  char* p = text_.data();
  char* end = text_.data() + text_.size();
  if (weak) {
    *p++ = 'W';
    *p++ = '/';
  }
  *p++ = '"';
  p = std::to_chars(p, end, static_cast<std::uint64_t>(mtime < 0 ? 0 : mtime), 16).ptr;
  *p++ = '-';
  p = std::to_chars(p, end, size, 16).ptr;
  if (!coding.empty()) {
    *p++ = '-';
    coding = coding.substr(0, 8);
    p = std::copy(coding.begin(), coding.end(), p);
  }
  *p++ = '"';
  length_ = static_cast<std::size_t>(p - text_.data());
}

bool noneMatchFails(std::string_view if_none_match, std::string_view etag) noexcept {
  if_none_match = trimOws(if_none_match);
  if (if_none_match == "*") return true;
  etag = withoutWeak(etag);
  while (!if_none_match.empty()) {
    std::size_t comma = if_none_match.find(',');
    std::string_view candidate = trimOws(if_none_match.substr(0, comma));
    if (!candidate.empty() && withoutWeak(candidate) == etag) return true;
    if (comma == std::string_view::npos) break;
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

bool noneMatchFails(const FieldLines& if_none_match, std::string_view etag) noexcept {
  for (std::size_t i = 0; i < if_none_match.count; ++i) {
    if (noneMatchFails(if_none_match.lines[i], etag)) return true;
  }
  return false;
}

}  // namespace learnhttpd::http
