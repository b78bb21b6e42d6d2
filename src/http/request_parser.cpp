// SPDX-License-Identifier: MIT
#include "http/request_parser.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>

#include "http/char_class.hpp"
#include "http/host.hpp"

namespace learnhttpd::http {
namespace {

using detail::equalsLower;
using detail::hasClass;
using detail::kFieldValue;
using detail::kTargetChar;
using detail::kTchar;
using detail::trimOws;

// A step that can stop the parse returns its final result; nullopt means "carry on".
using Verdict = std::optional<ParseResult>;

constexpr std::size_t saturatingAdd(std::size_t a, std::size_t b) noexcept {
  return a + std::min(b, std::numeric_limits<std::size_t>::max() - a);
}

constexpr bool isDigit(char c) noexcept {
  return c >= '0' && c <= '9';
}

ParseResult fail(Status s) noexcept {
  return ParseError{s};
}

// True when one of the eight bytes of `w` is below `limit` (at most 0x80) or is DEL.
// Classic SWAR tests: bytes >= 0x80 never trigger the "below" test thanks to the ~w mask.
constexpr bool hasByteBelowOrDel(std::uint64_t w, std::uint64_t limit) noexcept {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
  const std::uint64_t below = (w - kOnes * limit) & ~w & kHighs;
  const std::uint64_t del = w ^ (kOnes * 0x7F);
  const std::uint64_t is_del = (del - kOnes) & ~del & kHighs;
  return (below | is_del) != 0;
}

// Targets and field values are the bulk of a head (paths, User-Agent, Accept, cookies): check
// them eight bytes at a time while no byte can end or break the run, then finish with the
// table. `limit` is the lowest byte the run may contain (0x21 for targets, 0x20 for values,
// whose HTAB simply takes the slow path).
std::size_t skipRun(std::string_view b, std::size_t p, std::size_t end, std::uint64_t limit,
                    detail::CharClass cls) noexcept {
  while (end - p >= 8) {
    std::uint64_t w = 0;
    std::memcpy(&w, b.data() + p, sizeof w);
    if (hasByteBelowOrDel(w, limit)) break;
    p += 8;
  }
  while (p < end && hasClass(b[p], cls)) ++p;
  return p;
}

// Content-Length = 1*DIGIT (RFC 9112 section 6.3); anything else, including a list, is an error
// because a wrong body length would desynchronise the connection.
std::optional<std::uint64_t> parseContentLength(std::string_view v) noexcept {
  if (v.empty()) return std::nullopt;
  std::uint64_t n = 0;
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  for (char c : v) {
    if (!isDigit(c)) return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (n > (kMax - digit) / 10) return std::nullopt;
    n = n * 10 + digit;
  }
  return n;
}

// Connection is a list of tokens (RFC 9112 section 9.3); "close" beats "keep-alive" because a
// client that asked for close anywhere will not reuse the connection.
ConnectionOption mergeConnection(std::string_view list, ConnectionOption current) noexcept {
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string_view token = trimOws(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    if (equalsLower(token, "close")) {
      current = ConnectionOption::Close;
    } else if (equalsLower(token, "keep-alive") && current != ConnectionOption::Close) {
      current = ConnectionOption::KeepAlive;
    }
  }
  return current;
}

// Transfer-Encoding is a list of codings (RFC 9112 section 6.1), possibly over several lines;
// this reads them in order and remembers what the framing decision needs.
struct TransferCodings {
  bool present = false;
  bool chunked_last = false;  // the last coding so far is chunked
  bool malformed = false;     // chunked twice, or a coding after chunked
  bool unknown = false;       // a coding we cannot decode (gzip, identity, ...)
  bool any = false;           // at least one non-empty list member

  void add(std::string_view list) noexcept {
    present = true;
    while (true) {
      const std::size_t comma = list.find(',');
      const std::string_view coding = trimOws(list.substr(0, comma));
      if (!coding.empty()) {
        if (chunked_last) malformed = true;  // chunked must be the final coding, and only once
        if (equalsLower(coding, "chunked")) {
          chunked_last = true;
        } else {
          unknown = true;
        }
        any = true;
      }
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
};

// A singleton field that may not change value when repeated (Range, If-Range, If-Modified-
// Since, Authorization, Origin, Access-Control-Request-Method): a conflicting repeat makes the
// field count as absent.
void setSingleton(std::string_view& field, bool& conflict, bool& seen,
                  std::string_view value) noexcept {
  if (seen && field != value) conflict = true;
  seen = true;
  field = value;
}

Method classifyMethod(std::string_view m) noexcept {
  // Methods are case-sensitive (RFC 9110 section 9.1).
  if (m == "GET") return Method::Get;
  if (m == "HEAD") return Method::Head;
  if (m == "OPTIONS") return Method::Options;
  return Method::Other;
}

// One left-to-right pass over the buffer. Every decision depends only on the bytes before the
// current position, so a prefix of a request either needs more bytes or fails exactly like the
// whole request does: this is what makes re-parsing a growing buffer safe.
class HeadParser {
 public:
  HeadParser(std::string_view bytes, const ParseLimits& limits) noexcept
      : bytes_(bytes), limits_(limits) {}

  ParseResult run() noexcept {
    if (Verdict v = skipEmptyLines()) return *v;
    if (Verdict v = parseRequestLine()) return *v;
    return parseFields();
  }

 private:
  Verdict skipEmptyLines() noexcept;
  Verdict parseRequestLine() noexcept;
  Verdict parseVersion(std::size_t& p, std::size_t end, std::size_t limit) noexcept;
  ParseResult parseFields() noexcept;
  Verdict parseFieldLine(std::size_t end, std::size_t limit) noexcept;
  Verdict applyField(std::string_view name, std::string_view value) noexcept;
  Verdict applyContentLength(std::string_view value) noexcept;
  Verdict applyTransferEncoding() const noexcept;
  ParseResult finish() noexcept;

  // Out of bytes at `end`: if the window ends at the size limit the head is already too long.
  ParseResult incomplete(std::size_t end, std::size_t limit, Status too_long) const noexcept {
    if (end == limit) return fail(too_long);
    return NeedMore{};
  }

  std::string_view bytes_;
  const ParseLimits& limits_;
  std::size_t pos_ = 0;
  std::size_t head_start_ = 0;
  Request req_;
  bool has_content_length_ = false;
  TransferCodings codings_;
  // Singletons seen so far, and whether a repeat disagreed.
  bool seen_range_ = false, seen_if_range_ = false, seen_ims_ = false;
  bool conflict_range_ = false, conflict_if_range_ = false, conflict_ims_ = false;
  bool seen_authorization_ = false, seen_origin_ = false, seen_cors_method_ = false;
  bool conflict_authorization_ = false, conflict_origin_ = false, conflict_cors_method_ = false;
};

// RFC 9112 section 2.2 asks servers to ignore "at least one" empty line before a request line
// (clients used to send a CRLF after a POST body); a few more are tolerated, a stream of them
// is not a request.
constexpr std::size_t kMaxLeadingEmptyLines = 8;

Verdict HeadParser::skipEmptyLines() noexcept {
  std::size_t lines = 0;
  while (pos_ < bytes_.size() && bytes_[pos_] == '\r') {
    if (++lines > kMaxLeadingEmptyLines) return fail(Status::BadRequest);
    if (pos_ + 1 == bytes_.size()) return NeedMore{};
    if (bytes_[pos_ + 1] != '\n') return fail(Status::BadRequest);
    pos_ += 2;
  }
  if (pos_ == bytes_.size()) return NeedMore{};
  head_start_ = pos_;
  return std::nullopt;
}

Verdict HeadParser::parseRequestLine() noexcept {
  // The line may hold max_request_line bytes plus its CRLF.
  const std::size_t limit = saturatingAdd(head_start_, saturatingAdd(limits_.max_request_line, 2));
  const std::size_t end = std::min(bytes_.size(), limit);
  std::size_t p = head_start_;
  while (p < end && hasClass(bytes_[p], kTchar)) ++p;
  if (p == end) return incomplete(end, limit, Status::UriTooLong);
  if (bytes_[p] != ' ' || p == head_start_) return fail(Status::BadRequest);
  req_.method_text = bytes_.substr(head_start_, p - head_start_);
  req_.method = classifyMethod(req_.method_text);

  const std::size_t target_start = ++p;
  p = skipRun(bytes_, p, end, 0x21, kTargetChar);
  if (p == end) return incomplete(end, limit, Status::UriTooLong);
  if (bytes_[p] != ' ' || p == target_start) return fail(Status::BadRequest);
  req_.target = bytes_.substr(target_start, p - target_start);
  // RFC 9112 section 3.2.4: the asterisk-form names the server itself, and only OPTIONS uses
  // it; any other target starting with '*' is no form at all.
  if (req_.target.front() == '*' && (req_.target.size() != 1 || req_.method != Method::Options)) {
    return fail(Status::BadRequest);
  }
  ++p;
  if (Verdict v = parseVersion(p, end, limit)) return v;
  pos_ = p;
  return std::nullopt;
}

Verdict HeadParser::parseVersion(std::size_t& p, std::size_t end, std::size_t limit) noexcept {
  // HTTP-version = "HTTP/" DIGIT "." DIGIT, then CRLF; 'd' stands for a digit.
  constexpr std::string_view kShape = "HTTP/d.d\r\n";
  const std::size_t start = p;
  for (char want : kShape) {
    if (p == end) return incomplete(end, limit, Status::UriTooLong);
    const char c = bytes_[p];
    if (want == 'd' ? !isDigit(c) : c != want) return fail(Status::BadRequest);
    ++p;
  }
  const char major = bytes_[start + 5];
  const char minor = bytes_[start + 7];
  if (major != '1') return fail(Status::HttpVersionNotSupported);
  // RFC 9110 section 2.5: a higher minor version of a major version we speak is answered in the
  // highest minor version we support, i.e. HTTP/1.2 is served as HTTP/1.1.
  req_.version_minor = minor == '0' ? 0 : 1;
  return std::nullopt;
}

ParseResult HeadParser::parseFields() noexcept {
  const std::size_t limit = saturatingAdd(head_start_, limits_.max_header_bytes);
  const std::size_t end = std::min(bytes_.size(), limit);
  if (pos_ > limit) return fail(Status::RequestHeaderFieldsTooLarge);
  while (true) {
    if (pos_ == end) return incomplete(end, limit, Status::RequestHeaderFieldsTooLarge);
    if (bytes_[pos_] == '\r') {
      if (pos_ + 1 == end) return incomplete(end, limit, Status::RequestHeaderFieldsTooLarge);
      if (bytes_[pos_ + 1] != '\n') return fail(Status::BadRequest);
      pos_ += 2;
      return finish();
    }
    if (Verdict v = parseFieldLine(end, limit)) return *v;
  }
}

Verdict HeadParser::parseFieldLine(std::size_t end, std::size_t limit) noexcept {
  constexpr Status kTooLarge = Status::RequestHeaderFieldsTooLarge;
  std::size_t p = pos_;
  // A line starting with SP/HTAB is obs-fold (RFC 9112 section 5.2) and fails here as an empty
  // name; whitespace between name and colon fails as a non-colon (section 5.1).
  while (p < end && hasClass(bytes_[p], kTchar)) ++p;
  if (p == end) return incomplete(end, limit, kTooLarge);
  if (bytes_[p] != ':' || p == pos_) return fail(Status::BadRequest);
  const std::string_view name = bytes_.substr(pos_, p - pos_);
  const std::size_t value_start = ++p;
  p = skipRun(bytes_, p, end, 0x20, kFieldValue);
  if (p == end) return incomplete(end, limit, kTooLarge);
  if (bytes_[p] != '\r') return fail(Status::BadRequest);
  if (p + 1 == end) return incomplete(end, limit, kTooLarge);
  if (bytes_[p + 1] != '\n') return fail(Status::BadRequest);
  const std::string_view value = trimOws(bytes_.substr(value_start, p - value_start));
  pos_ = p + 2;
  return applyField(name, value);
}

Verdict HeadParser::applyField(std::string_view name, std::string_view value) noexcept {
  // Dispatch on length first: most fields are rejected by one integer compare.
  switch (name.size()) {
    case 4:
      if (!equalsLower(name, "host")) break;
      // RFC 9112 section 3.2: more than one Host, or one that is not a valid host[:port], is a 400.
      if (req_.has_host || !isValidHost(value)) return fail(Status::BadRequest);
      req_.has_host = true;
      req_.host = value;
      break;
    case 5:
      if (equalsLower(name, "range")) setSingleton(req_.range, conflict_range_, seen_range_, value);
      break;
    case 6:
      if (equalsLower(name, "origin")) {
        setSingleton(req_.origin, conflict_origin_, seen_origin_, value);
      } else if (equalsLower(name, "accept") && !value.empty()) {
        FieldLines& list = req_.accept;
        if (list.count == FieldLines::kMaxLines) return fail(Status::RequestHeaderFieldsTooLarge);
        list.lines[list.count++] = value;
      }
      break;
    case 7:
      if (equalsLower(name, "referer")) req_.referer = value;
      break;
    case 8:
      if (equalsLower(name, "if-range")) {
        setSingleton(req_.if_range, conflict_if_range_, seen_if_range_, value);
      }
      break;
    case 10:
      if (equalsLower(name, "connection")) {
        req_.connection = mergeConnection(value, req_.connection);
      } else if (equalsLower(name, "user-agent")) {
        req_.user_agent = value;
      }
      break;
    case 13:
      if (equalsLower(name, "if-none-match") && !value.empty()) {  // empty: as if absent
        FieldLines& list = req_.if_none_match;
        if (list.count == FieldLines::kMaxLines) return fail(Status::RequestHeaderFieldsTooLarge);
        list.lines[list.count++] = value;
      } else if (equalsLower(name, "authorization")) {
        setSingleton(req_.authorization, conflict_authorization_, seen_authorization_, value);
      }
      break;
    case 14:
      if (equalsLower(name, "content-length")) return applyContentLength(value);
      break;
    case 15:
      if (equalsLower(name, "accept-encoding") && !value.empty()) {  // empty: identity only
        FieldLines& list = req_.accept_encoding;
        if (list.count == FieldLines::kMaxLines) return fail(Status::RequestHeaderFieldsTooLarge);
        list.lines[list.count++] = value;
      }
      break;
    case 17:
      if (equalsLower(name, "if-modified-since")) {
        setSingleton(req_.if_modified_since, conflict_ims_, seen_ims_, value);
      } else if (equalsLower(name, "transfer-encoding")) {
        codings_.add(value);
      }
      break;
    case 29:
      if (equalsLower(name, "access-control-request-method")) {
        setSingleton(req_.cors_request_method, conflict_cors_method_, seen_cors_method_, value);
      }
      break;
    default:
      break;
  }
  return std::nullopt;
}

Verdict HeadParser::applyContentLength(std::string_view value) noexcept {
  const std::optional<std::uint64_t> n = parseContentLength(value);
  if (!n) return fail(Status::BadRequest);
  // Repeating the same value is harmless; differing values are request smuggling material.
  if (has_content_length_ && *n != req_.content_length) return fail(Status::BadRequest);
  has_content_length_ = true;
  req_.content_length = *n;
  return std::nullopt;
}

// RFC 9112 sections 6.1 and 6.3: only a body whose length we can determine exactly may be
// skipped; any doubt about where the next request starts is refused (and the connection
// closed), since guessing is what request smuggling exploits.
Verdict HeadParser::applyTransferEncoding() const noexcept {
  if (!codings_.present) return std::nullopt;
  // An HTTP/1.0 message with Transfer-Encoding has faulty framing, as does one that also has
  // a Content-Length: two lengths that may disagree.
  if (req_.version_minor == 0 || has_content_length_) return fail(Status::BadRequest);
  // chunked not final (or twice): the length cannot be known -> 400; a coding we do not
  // implement (gzip, also "gzip, chunked") -> 501.
  if (codings_.malformed) return fail(Status::BadRequest);
  if (codings_.unknown) return fail(Status::NotImplemented);
  if (!codings_.any) return fail(Status::BadRequest);
  return std::nullopt;
}

ParseResult HeadParser::finish() noexcept {
  if (req_.version_minor == 1 && !req_.has_host) return fail(Status::BadRequest);
  if (Verdict v = applyTransferEncoding()) return *v;
  req_.chunked = codings_.present;
  if (conflict_range_ || conflict_if_range_) req_.range = {};
  if (conflict_if_range_) req_.if_range = {};
  if (conflict_ims_) req_.if_modified_since = {};
  // Two different credentials or origins: neither is believed (no credentials: a 401; no
  // origin: no CORS fields).
  if (conflict_authorization_) req_.authorization = {};
  if (conflict_origin_) req_.origin = {};
  if (conflict_cors_method_) req_.cors_request_method = {};
  return Complete{pos_, req_};
}

}  // namespace

ParseResult parse(std::string_view bytes, const ParseLimits& limits) noexcept {
  return HeadParser(bytes, limits).run();
}

}  // namespace learnhttpd::http
