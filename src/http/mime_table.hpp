// SPDX-License-Identifier: MIT
#pragma once
// Content-Type by file extension, case-insensitively. Built once; lookups never allocate.

#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace learnhttpd::http {

class MimeTable {
 public:
  // The built-in table plus `overrides` (extension with or without the leading dot, any case).
  explicit MimeTable(const std::vector<std::pair<std::string, std::string>>& overrides = {});

  // The type for the extension of the last path segment of `path`;
  // "application/octet-stream" when there is none or it is unknown.
  std::string_view lookup(std::string_view path) const noexcept;

 private:
  std::unordered_map<std::string, std::string> types_;  // lower-case extension without dot
};

}  // namespace learnhttpd::http
