// SPDX-License-Identifier: MIT
#pragma once
// Conditional-request decisions (RFC 9110 section 13) and the validator they compare. Pure.

#include <array>
#include <cstdint>
#include <ctime>
#include <string_view>

#include "http/request.hpp"

namespace learnhttpd::http {

// True when a GET/HEAD with this If-Modified-Since value may be answered 304: the value is a
// valid HTTP-date and the file's mtime is not later than it. Empty or invalid values -> false.
bool notModifiedSince(std::string_view if_modified_since, std::time_t mtime) noexcept;

// A file's entity tag: "<mtime hex>-<size hex>", quoted (the form nginx uses, so caches that
// saw one server keep working against the other). It changes whenever the file's mtime or
// size does. A representation in a content coding (a pre-compressed sidecar) appends the
// coding's name, "<mtime hex>-<size hex>-gzip", so it never matches the identity bytes' tag;
// `coding` is at most 8 characters. A weak tag (W/"...") marks bytes that are equivalent, not
// identical, from one answer to the next (gzip made per request: a zlib or level change alters
// them); If-None-Match still matches it, If-Range never does (RFC 9110 section 8.8.1).
class EntityTag {
 public:
  EntityTag(std::time_t mtime, std::uint64_t size, std::string_view coding = {},
            bool weak = false) noexcept;
  std::string_view view() const noexcept { return {text_.data(), length_}; }

 private:
  std::array<char, 48> text_{};  // W/"16 hex-16 hex-8" fits
  std::size_t length_ = 0;
};

// If-None-Match (section 13.1.2): true when the list is "*" or names `etag`, compared weakly
// (a W/ prefix on either side is ignored), i.e. a GET/HEAD may be answered 304. Empty -> false.
bool noneMatchFails(std::string_view if_none_match, std::string_view etag) noexcept;
// The same over every If-None-Match line of a request, as one comma-joined list (RFC 9110
// section 5.3): true when any line matches. No lines -> false.
bool noneMatchFails(const FieldLines& if_none_match, std::string_view etag) noexcept;

}  // namespace learnhttpd::http
