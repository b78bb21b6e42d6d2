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
// - Leading empty lines (CRLF) before the request line are skipped (RFC 9112 section 2.2).
// - Malformed request line or field, a lone LF, a bare CR, whitespace before a colon,
//   an invalid or duplicated Content-Length -> 400. HTTP/1.1 without Host -> 400.
// - Version other than HTTP/1.0 or HTTP/1.1 (but well-formed, e.g. HTTP/2.0) -> 505.
// - Transfer-Encoding on a request -> 501 (a static server takes no request bodies).
ParseResult parse(std::string_view bytes, const ParseLimits& limits) noexcept;

}  // namespace learnhttpd::http
