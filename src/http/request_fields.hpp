// SPDX-License-Identifier: MIT
#pragma once
// RequestFields: a request that arrives as a decoded field list (HTTP/2's HEADERS, RFC 9113
// section 8.3) made into the same http::Request the HTTP/1 parser makes, so that one answer
// layer serves both. Pure: no I/O, no logging; the fields a Request views are copied into this
// object, so the Request lives as long as it and until the next reset().
//
// The rules, where HTTP/1's parser (request_parser.hpp) has the same one, are its rules:
//  - the decoded list is at most ParseLimits::max_header_bytes, each field counted as
//    name + value + 32 (RFC 9113 section 6.5.2, SETTINGS_MAX_HEADER_LIST_SIZE) -> 431; so an
//    HPACK "bomb", a few bytes on the wire that decode to megabytes, is refused however it is
//    compressed;
//  - a :path longer than ParseLimits::max_request_line -> 414;
//  - If-None-Match, Accept-Encoding and Accept: up to FieldLines::kMaxLines fields each, more
//    -> 431; a repeated Range, If-Range, If-Modified-Since, Authorization, Origin or
//    Access-Control-Request-Method with another value counts as absent.
// And HTTP/2's own (RFC 9113 sections 8.2 and 8.3), whose breach makes the request malformed
// (a stream error, never an answer):
//  - field names are lower-case tokens; values have no CR, LF, NUL or other control byte and
//    no white space at either end;
//  - the pseudo-fields :method, :scheme, :path (and :authority) at most once each, before every
//    regular field; no other pseudo-field; :method and :path present (:scheme too, except for
//    CONNECT, which the answer layer refuses as a method);
//  - :path starts with '/', or is "*" with OPTIONS, whatever the :scheme;
//  - no connection-specific field (Connection, Keep-Alive, Proxy-Connection,
//    Transfer-Encoding, Upgrade); TE only as "trailers";
//  - :authority and Host, when both are sent, name the same authority; either is host[:port]
//    (http/host.hpp) and Host appears at most once.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/request.hpp"
#include "http/request_parser.hpp"
#include "http/status.hpp"

namespace learnhttpd::http {

// RFC 9113 section 8.2.2: fields that only mean something to one HTTP/1.1 connection (a
// lower-case name); a request with one is malformed, and an answer never carries one.
bool isConnectionSpecific(std::string_view name) noexcept;

class RequestFields {
 public:
  enum class Verdict {
    Ok,         // the field is taken (or ignored: the answer does not depend on it)
    Malformed,  // RFC 9113 section 8.1.1: a stream error of type PROTOCOL_ERROR
    Refused,    // the request is well formed but is answered `status()` (414, 431)
  };

  explicit RequestFields(const ParseLimits& limits) noexcept : limits_(limits) {}

  // One decoded field, in the order received. After a verdict other than Ok the rest of the
  // list is only counted (add() keeps returning that verdict).
  Verdict add(std::string_view name, std::string_view value);
  // After the last field: Ok and `request` filled (its views point into this object), or the
  // list's verdict.
  Verdict finish(Request& request);
  // The status of a Refused list.
  Status status() const noexcept { return status_; }
  // Ready for another request; keeps the storage's capacity.
  void reset() noexcept;
  // Gives the storage back (a connection waiting for its next request).
  void release() noexcept;

 private:
  // A kept field: where its value is in storage_.
  struct Span {
    std::uint32_t at = 0;
    std::uint32_t size = 0;
  };
  enum Kept : std::uint8_t {
    kMethod,
    kPath,
    kAuthority,
    kHost,
    kUserAgent,
    kReferer,
    kRange,
    kIfRange,
    kIfModifiedSince,
    kAuthorization,
    kOrigin,
    kCorsRequestMethod,
    kSingles,  // the number of single-valued kept fields
  };

  Verdict refuse(Status status) noexcept;
  Verdict malformed() noexcept;
  Verdict addPseudo(std::string_view name, std::string_view value);
  Verdict addRegular(std::string_view name, std::string_view value);
  Verdict keep(Kept field, std::string_view value);
  Verdict keepSingleton(Kept field, std::string_view value);
  Verdict keepLine(Span (&lines)[FieldLines::kMaxLines], std::size_t& count,
                   std::string_view value);
  Span store(std::string_view value);
  std::string_view view(Span span) const noexcept { return {storage_.data() + span.at, span.size}; }
  bool has(Kept field) const noexcept { return (present_ & (1U << field)) != 0; }

  const ParseLimits& limits_;
  std::string storage_;  // the kept values, back to back
  std::array<Span, kSingles> singles_{};
  Span if_none_match_[FieldLines::kMaxLines]{};
  Span accept_encoding_[FieldLines::kMaxLines]{};
  Span accept_[FieldLines::kMaxLines]{};
  std::size_t if_none_match_count_ = 0;
  std::size_t accept_encoding_count_ = 0;
  std::size_t accept_count_ = 0;
  std::size_t list_bytes_ = 0;  // the list's size so far, as SETTINGS_MAX_HEADER_LIST_SIZE counts
  std::uint32_t present_ = 0;   // bit per Kept field
  std::uint32_t conflict_ = 0;  // bit per singleton sent twice with different values
  bool scheme_ = false;
  bool regular_seen_ = false;  // a regular field came: no pseudo-field may follow
  Verdict verdict_ = Verdict::Ok;
  Status status_ = Status::BadRequest;
};

}  // namespace learnhttpd::http
