#pragma once
// A parsed HTTP/1.x request head.
//
// Every string_view points into the byte buffer that was handed to parse(); a Request is valid
// only as long as that buffer is neither modified nor moved. Copy what must outlive it.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace learnhttpd::http {

enum class Method : std::uint8_t { Get, Head, Other };

// What the Connection header asked for (RFC 9112 section 9.3); Unspecified when absent.
enum class ConnectionOption : std::uint8_t { Unspecified, Close, KeepAlive };

struct Request {
  Method method = Method::Other;
  std::string_view method_text;  // as sent, e.g. "GET"
  std::string_view target;       // request-target as sent: origin-form or absolute-form
  int version_minor = 1;         // HTTP/1.<minor>; only 0 and 1 are ever returned
  std::string_view host;         // Host field value, trimmed
  bool has_host = false;
  ConnectionOption connection = ConnectionOption::Unspecified;
  std::string_view user_agent;         // for the access log; empty when absent
  std::string_view referer;            // for the access log; empty when absent
  std::string_view if_modified_since;  // raw value; empty when absent
  std::string_view if_none_match;      // raw value; empty when absent
  std::string_view range;              // raw Range value; empty when absent
  std::string_view if_range;           // raw If-Range value; empty when absent
  std::uint64_t content_length = 0;    // body bytes that follow the head (to be discarded)
};

}  // namespace learnhttpd::http
