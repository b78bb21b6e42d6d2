// SPDX-License-Identifier: MIT
#include "http/gzip_policy.hpp"

#include <algorithm>
#include <utility>

#include "http/char_class.hpp"

namespace learnhttpd::http {

GzipPolicy::GzipPolicy(std::vector<std::string> types, std::uint64_t min_length,
                       std::uint64_t max_length, int level)
    : types_(std::move(types)),
      any_type_(std::find(types_.begin(), types_.end(), "*") != types_.end()),
      min_length_(min_length),
      max_length_(max_length),
      level_(level) {}

bool GzipPolicy::typeMatches(std::string_view content_type) const noexcept {
  if (any_type_) return true;
  // RFC 9110 section 8.3.1: the type and subtype are case-insensitive; parameters follow ';'.
  const std::string_view media = detail::trimOws(content_type.substr(0, content_type.find(';')));
  return std::any_of(types_.begin(), types_.end(),
                     [&](const std::string& type) { return detail::equalsLower(media, type); });
}

}  // namespace learnhttpd::http
