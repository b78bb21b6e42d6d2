// SPDX-License-Identifier: MIT
#pragma once
// Which answers on-the-fly gzip applies to (config `gzip`): the file's media type and size.
// Whether the client accepts gzip is http/accept_encoding's; whether a sidecar or a range wins
// is the session's. Pure: no I/O; built once per worker, then read-only (shared by threads).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace learnhttpd::http {

class GzipPolicy {
 public:
  // `types`: lower-case media types without parameters ("text/html"), or "*" for every type.
  GzipPolicy(std::vector<std::string> types, std::uint64_t min_length, std::uint64_t max_length,
             int level);

  // Whether answers of `content_type` ("Text/HTML; charset=utf-8" matches "text/html") are
  // compressed, size permitting. Such answers vary with Accept-Encoding whatever their size.
  bool typeMatches(std::string_view content_type) const noexcept;
  // Whether a body of `size` bytes is compressed: min_length <= size <= max_length.
  bool sizeFits(std::uint64_t size) const noexcept {
    return size >= min_length_ && size <= max_length_;
  }
  int level() const noexcept { return level_; }
  std::uint64_t maxLength() const noexcept { return max_length_; }

 private:
  std::vector<std::string> types_;
  bool any_type_ = false;
  std::uint64_t min_length_;
  std::uint64_t max_length_;
  int level_;
};

}  // namespace learnhttpd::http
