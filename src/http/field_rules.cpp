// SPDX-License-Identifier: MIT
#include "http/field_rules.hpp"

#include <algorithm>
#include <array>

#include "http/char_class.hpp"

namespace learnhttpd::http {
namespace {

using detail::hasClass;

constexpr std::array<std::string_view, 17> kManagedFields = {
    "server",        "date",          "content-type", "content-length",    "content-encoding",
    "content-range", "accept-ranges", "etag",         "last-modified",     "location",
    "allow",         "connection",    "keep-alive",   "transfer-encoding", "vary",
    "trailer",       "upgrade"};

}  // namespace

bool isToken(std::string_view text) noexcept {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return hasClass(c, detail::kTchar); });
}

bool isFieldValue(std::string_view text) noexcept {
  if (text.empty() || detail::isOws(text.front()) || detail::isOws(text.back())) return false;
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return hasClass(c, detail::kFieldValue); });
}

bool sameFieldName(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return detail::toLowerAscii(x) == detail::toLowerAscii(y);
         });
}

bool isManagedField(std::string_view name) noexcept {
  return std::any_of(kManagedFields.begin(), kManagedFields.end(),
                     [&](std::string_view managed) { return sameFieldName(managed, name); });
}

}  // namespace learnhttpd::http
