// SPDX-License-Identifier: MIT
#pragma once
// Builds a response head (status line + fields + empty line) into a caller-owned buffer, and
// the pure decisions beside it (keep-alive). No I/O.

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

#include "http/request.hpp"
#include "http/status.hpp"

namespace learnhttpd::http {

inline constexpr std::string_view kServerName = "learnhttpd";

struct ResponseHead {
  Status status = Status::Ok;
  int version_minor = 1;   // answer in the request's minor version
  std::string_view date;   // formatted IMF-fixdate (from a DateCache)
  bool keep_alive = true;  // -> "Connection: keep-alive" / "close"
  std::uint64_t content_length = 0;   // not sent with a 204 or a 304 (RFC 9110 section 8.6)
  std::string_view content_type;      // omitted when empty
  std::string_view content_encoding;  // a sidecar's coding ("br", "gzip"); omitted when empty
  bool vary_accept_encoding = false;  // adds "Vary: Accept-Encoding"
  std::string_view extra_fields;      // "Name: value\r\n" lines (http::HeaderRules), as given
  std::time_t last_modified = -1;     // omitted when < 0
  std::string_view etag;              // omitted when empty
  std::string_view location;          // omitted when empty
  std::string_view allow;             // "Allow: <methods>" (405, OPTIONS); omitted when empty
  bool accept_ranges = false;         // adds "Accept-Ranges: bytes" (files)
  // Content-Range: "bytes FIRST-LAST/SIZE" on 206, "bytes */SIZE" on 416; omitted when
  // complete_length < 0.
  std::int64_t complete_length = -1;
  std::uint64_t range_first = 0;
  std::uint64_t range_last = 0;
};

// Appends the serialized head to `out` (not cleared, so pipelined heads can be batched).
void appendResponseHead(const ResponseHead& head, std::string& out);

// Whether the connection stays open after answering `req` (RFC 9112 section 9.3):
// HTTP/1.1 persists unless "Connection: close"; HTTP/1.0 only with "Connection: keep-alive".
bool wantsKeepAlive(const Request& req) noexcept;

// A small HTML body for an error status, e.g. "<html>...404 Not Found...</html>".
std::string_view errorBody(Status s) noexcept;

}  // namespace learnhttpd::http
