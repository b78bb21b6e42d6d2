// SPDX-License-Identifier: MIT
#pragma once
// Content-Type by file extension, case-insensitively. Built once, with the charset parameter
// already in the strings (config `charset`); lookups never allocate.

#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace learnhttpd::http {

class MimeTable {
 public:
  // The built-in table plus `overrides` (extension with or without the leading dot, any case).
  // With a `charset` ("utf-8"; empty: none), "; charset=<charset>" is added to every type whose
  // body is text a client would otherwise have to guess the encoding of -- text/*,
  // application/javascript, application/json, application/xml and any type with the +json or
  // +xml suffix (image/svg+xml, application/manifest+json) -- unless the type names a charset
  // itself (an override like "text/markdown; charset=iso-8859-1" is kept as written).
  explicit MimeTable(const std::vector<std::pair<std::string, std::string>>& overrides = {},
                     std::string_view charset = {});

  // The Content-Type for the extension of the last path segment of `path`;
  // "application/octet-stream" when there is none or it is unknown. Valid while the table is.
  std::string_view lookup(std::string_view path) const noexcept;

 private:
  // lower-case extension without dot -> the Content-Type value as sent
  std::unordered_map<std::string, std::string> types_;
};

}  // namespace learnhttpd::http
