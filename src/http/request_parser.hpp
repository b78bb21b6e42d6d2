// SPDX-License-Identifier: MIT
#pragma once
// The HTTP/1.x request-head parser: a pure function over bytes (no I/O, no logging, no heap
// allocation). Call it with everything received so far on a connection; it either returns a
// complete request and how many bytes its head used, asks for more bytes, or says which error
// status the client gets. Re-calling with a longer buffer after NeedMore is the incremental mode.

#include <cstddef>
#include <string_view>
#include <variant>

#include "http/request.hpp"
#include "http/status.hpp"

namespace learnhttpd::http {

struct ParseLimits {
  std::size_t max_request_line = 8192;   // longer request line -> 414 URI Too Long
  std::size_t max_header_bytes = 16384;  // longer head (request line + fields) -> 431
};

struct Complete {
  std::size_t consumed = 0;  // bytes of the head, including the final empty line
  Request request;           // views into the parsed buffer
};
struct NeedMore {};
struct ParseError {
  Status status = Status::BadRequest;  // 400, 414, 431, 501 or 505
};

using ParseResult = std::variant<Complete, NeedMore, ParseError>;

// Parses one request head at the start of `bytes`.
// - Up to 8 leading empty lines (CRLF) before the request line are skipped (RFC 9112 section
//   2.2); more -> 400.
// - A target starting with '*' other than "*" with OPTIONS (the asterisk-form, RFC 9112
//   section 3.2.4) -> 400; other targets are checked by decodeTarget (http/target.hpp).
// - Malformed request line or field, a lone LF, a bare CR, whitespace before a colon,
//   an invalid or duplicated Content-Length -> 400. HTTP/1.1 without Host, more than one Host,
//   or a Host that is not host[:port] -> 400.
// - HTTP/1.x with x > 1 is parsed as HTTP/1.1 (RFC 9110 section 2.5); another major version
//   (e.g. HTTP/2.0) -> 505.
// - Transfer-Encoding (RFC 9112 section 6): "chunked" as the final and only coding sets
//   Request::chunked (the caller decodes and discards the body, see chunked_decoder.hpp);
//   chunked not last or repeated, an empty list, Transfer-Encoding in HTTP/1.0 or together with
//   Content-Length -> 400; any other coding -> 501.
// - Repeated list fields are combined (Connection, If-None-Match up to 8 lines, more -> 431);
//   a repeated singleton (Range, If-Range, If-Modified-Since) with a different value counts as
//   absent.
ParseResult parse(std::string_view bytes, const ParseLimits& limits) noexcept;

}  // namespace learnhttpd::http
