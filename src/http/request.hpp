// SPDX-License-Identifier: MIT
#pragma once
// A parsed HTTP/1.x request head.
//
// Every string_view points into the byte buffer that was handed to parse(); a Request is valid
// only as long as that buffer is neither modified nor moved. Copy what must outlive it.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace learnhttpd::http {

enum class Method : std::uint8_t { Get, Head, Options, Other };

// What the Connection header asked for (RFC 9112 section 9.3); Unspecified when absent.
enum class ConnectionOption : std::uint8_t { Unspecified, Close, KeepAlive };

// A list-based field sent in one or more field lines. RFC 9110 section 5.3: the lines mean the
// same as one line with their values joined by commas, in order; `lines` holds each line's
// trimmed value. More lines than kMaxLines make the parser answer 431.
struct FieldLines {
  static constexpr std::size_t kMaxLines = 8;
  std::array<std::string_view, kMaxLines> lines{};
  std::size_t count = 0;

  bool empty() const noexcept { return count == 0; }
};

struct Request {
  Method method = Method::Other;
  std::string_view method_text;  // as sent, e.g. "GET"
  // request-target as sent: origin-form, absolute-form, or "*" (asterisk-form, OPTIONS only)
  std::string_view target;
  int version_minor = 1;         // 0 or 1: HTTP/1.x with x > 1 is read as 1.1 (RFC 9110 2.5)
  std::string_view host;         // Host field value, trimmed
  bool has_host = false;
  ConnectionOption connection = ConnectionOption::Unspecified;
  std::string_view user_agent;  // for the access log; empty when absent
  std::string_view referer;     // for the access log; empty when absent
  // Singleton fields: empty when absent, and also when sent twice with different values
  // (the request then behaves as if the condition or range was not sent).
  std::string_view if_modified_since;  // raw value
  std::string_view range;              // raw Range value
  std::string_view if_range;           // raw If-Range value
  FieldLines if_none_match;            // every If-None-Match line, in order
  FieldLines accept_encoding;          // every non-empty Accept-Encoding line, in order
  FieldLines accept;                   // every non-empty Accept line, in order
  std::string_view authorization;      // raw Authorization value (a singleton, as above)
  std::string_view origin;             // raw Origin value (RFC 6454; a singleton, as above)
  // Access-Control-Request-Method: present (non-empty) on a CORS preflight (a singleton).
  std::string_view cors_request_method;
  std::uint64_t content_length = 0;    // body bytes that follow the head (to be discarded)
  bool chunked = false;                // Transfer-Encoding: chunked; a chunked body follows
};

}  // namespace learnhttpd::http
