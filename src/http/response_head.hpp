// SPDX-License-Identifier: MIT
#pragma once
// Builds a response head (status line + fields + empty line) into a caller-owned buffer, and
// the pure decisions beside it (keep-alive). No I/O. The fields themselves, in their order, are
// forEachField's: HTTP/1.1 writes them as lines, HTTP/2 as a header list, so both protocols
// send the same fields with the same values.

#include <array>
#include <charconv>
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <system_error>

#include "http/http_date.hpp"
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

// A field's name as each protocol writes it: HTTP/1.1 in its usual capitalisation, HTTP/2 in
// lower case (RFC 9113 section 8.2.1). Both static.
struct FieldName {
  std::string_view http1;
  std::string_view http2;
};

namespace field {
inline constexpr FieldName kServer{"Server", "server"};
inline constexpr FieldName kDate{"Date", "date"};
inline constexpr FieldName kContentType{"Content-Type", "content-type"};
inline constexpr FieldName kContentEncoding{"Content-Encoding", "content-encoding"};
inline constexpr FieldName kVary{"Vary", "vary"};
inline constexpr FieldName kContentLength{"Content-Length", "content-length"};
inline constexpr FieldName kLastModified{"Last-Modified", "last-modified"};
inline constexpr FieldName kEtag{"ETag", "etag"};
inline constexpr FieldName kAcceptRanges{"Accept-Ranges", "accept-ranges"};
inline constexpr FieldName kContentRange{"Content-Range", "content-range"};
inline constexpr FieldName kLocation{"Location", "location"};
inline constexpr FieldName kAllow{"Allow", "allow"};
}  // namespace field

// Calls sink.field(name, value) for each field of `head` but the connection's own (HTTP/1's
// Connection), with a FieldName, then sink.extra(head.extra_fields) with the configured
// fields as given ("Name: value\r\n" lines). A value may view a buffer of this call: copy it
// before the next field.
template <typename Sink>
void forEachField(const ResponseHead& head, Sink& sink);

// `mtime` as an IMF-fixdate, from a one-entry cache per thread (most answers in a row are of
// files of the same few mtimes): valid until the thread's next call.
std::string_view lastModifiedText(std::time_t mtime) noexcept;

// Appends the serialized head to `out` (not cleared, so pipelined heads can be batched).
void appendResponseHead(const ResponseHead& head, std::string& out);

// Whether the connection stays open after answering `req` (RFC 9112 section 9.3):
// HTTP/1.1 persists unless "Connection: close"; HTTP/1.0 only with "Connection: keep-alive".
bool wantsKeepAlive(const Request& req) noexcept;

// A small HTML body for an error status, e.g. "<html>...404 Not Found...</html>".
std::string_view errorBody(Status s) noexcept;

namespace detail {

// A number's decimal digits at `at` (within [at, end)), returning the end of what was written.
inline char* putNumber(char* at, char* end, std::uint64_t value) noexcept {
  const std::to_chars_result r = std::to_chars(at, end, value);
  return r.ec == std::errc() ? r.ptr : at;
}

inline char* putText(char* at, char* end, std::string_view text) noexcept {
  for (char c : text) {
    if (at == end) break;
    *at++ = c;
  }
  return at;
}

}  // namespace detail

template <typename Sink>
void forEachField(const ResponseHead& head, Sink& sink) {
  sink.field(field::kServer, kServerName);
  sink.field(field::kDate, head.date);
  if (!head.content_type.empty()) sink.field(field::kContentType, head.content_type);
  if (!head.content_encoding.empty()) sink.field(field::kContentEncoding, head.content_encoding);
  if (head.vary_accept_encoding) sink.field(field::kVary, "Accept-Encoding");
  // RFC 9110 section 8.6: a 304 carries no body, and a Content-Length on it would have to be the
  // length the 200 would have had; leaving it out is always correct. A 204 must not have one.
  if (head.status != Status::NotModified && head.status != Status::NoContent) {
    std::array<char, 24> digits{};
    char* end =
        detail::putNumber(digits.data(), digits.data() + digits.size(), head.content_length);
    sink.field(field::kContentLength,
               std::string_view(digits.data(), static_cast<std::size_t>(end - digits.data())));
  }
  if (head.last_modified >= 0) {
    sink.field(field::kLastModified, lastModifiedText(head.last_modified));
  }
  if (!head.etag.empty()) sink.field(field::kEtag, head.etag);
  if (head.accept_ranges) sink.field(field::kAcceptRanges, "bytes");
  if (head.complete_length >= 0) {
    std::array<char, 80> range{};  // "bytes " and three 20-digit numbers fit
    char* at = range.data();
    char* const end = range.data() + range.size();
    at = detail::putText(at, end, "bytes ");
    if (head.status == Status::RangeNotSatisfiable) {
      at = detail::putText(at, end, "*");
    } else {
      at = detail::putNumber(at, end, head.range_first);
      at = detail::putText(at, end, "-");
      at = detail::putNumber(at, end, head.range_last);
    }
    at = detail::putText(at, end, "/");
    at = detail::putNumber(at, end, static_cast<std::uint64_t>(head.complete_length));
    sink.field(field::kContentRange,
               std::string_view(range.data(), static_cast<std::size_t>(at - range.data())));
  }
  if (!head.location.empty()) sink.field(field::kLocation, head.location);
  if (!head.allow.empty()) sink.field(field::kAllow, head.allow);
  if (!head.extra_fields.empty()) sink.extra(head.extra_fields);
}

}  // namespace learnhttpd::http
