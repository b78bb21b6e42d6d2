// SPDX-License-Identifier: MIT
#include "http/request_fields.hpp"

#include <algorithm>

#include "http/char_class.hpp"
#include "http/host.hpp"

namespace learnhttpd::http {
namespace {

using detail::equalsLower;
using detail::hasClass;
using detail::isOws;

// RFC 9113 section 6.5.2: a field's size in a header list is its name and value plus 32.
constexpr std::size_t kFieldOverhead = 32;

// RFC 9113 section 8.2.1: lower-case token characters only; ':' starts a pseudo-field.
bool validName(std::string_view name) noexcept {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return hasClass(c, detail::kTchar) && !(c >= 'A' && c <= 'Z'); });
}

// RFC 9113 section 8.2.1: no NUL, CR or LF (nor, as RFC 9110 has it, any other control byte
// but HTAB), and no white space at the start or the end. Empty is a value.
bool validValue(std::string_view value) noexcept {
  if (!value.empty() && (isOws(value.front()) || isOws(value.back()))) return false;
  return std::all_of(value.begin(), value.end(),
                     [](char c) { return hasClass(c, detail::kFieldValue); });
}

Method classifyMethod(std::string_view m) noexcept {
  if (m == "GET") return Method::Get;
  if (m == "HEAD") return Method::Head;
  if (m == "OPTIONS") return Method::Options;
  return Method::Other;
}

// Host and :authority name the same authority when they are equal ignoring ASCII case (host
// names are case-insensitive, RFC 3986 section 3.2.2).
bool sameAuthority(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return detail::toLowerAscii(x) == detail::toLowerAscii(y);
         });
}

}  // namespace

bool isConnectionSpecific(std::string_view name) noexcept {
  return name == "connection" || name == "keep-alive" || name == "proxy-connection" ||
         name == "transfer-encoding" || name == "upgrade";
}

RequestFields::Verdict RequestFields::refuse(Status status) noexcept {
  status_ = status;
  verdict_ = Verdict::Refused;
  return verdict_;
}

RequestFields::Verdict RequestFields::malformed() noexcept {
  verdict_ = Verdict::Malformed;
  return verdict_;
}

RequestFields::Verdict RequestFields::add(std::string_view name, std::string_view value) {
  list_bytes_ += name.size() + value.size() + kFieldOverhead;
  if (verdict_ != Verdict::Ok) return verdict_;
  if (list_bytes_ > limits_.max_header_bytes) return refuse(Status::RequestHeaderFieldsTooLarge);
  if (!name.empty() && name.front() == ':') return addPseudo(name, value);
  if (!validName(name) || !validValue(value)) return malformed();
  regular_seen_ = true;
  return addRegular(name, value);
}

RequestFields::Verdict RequestFields::addPseudo(std::string_view name, std::string_view value) {
  if (regular_seen_ || !validValue(value)) return malformed();
  if (name == ":method") {
    if (has(kMethod) || value.empty() || !std::all_of(value.begin(), value.end(), [](char c) {
          return hasClass(c, detail::kTchar);
        })) {
      return malformed();
    }
    return keep(kMethod, value);
  }
  if (name == ":path") {
    if (has(kPath) || value.empty()) return malformed();
    // HTTP/1 answers a request line longer than this 414: so does HTTP/2 a target.
    if (value.size() > limits_.max_request_line) return refuse(Status::UriTooLong);
    return keep(kPath, value);
  }
  if (name == ":scheme") {
    if (scheme_ || value.empty()) return malformed();
    scheme_ = true;
    return Verdict::Ok;
  }
  if (name == ":authority") {
    if (has(kAuthority) || !isValidHost(value)) return malformed();
    return keep(kAuthority, value);
  }
  return malformed();  // :status, :protocol or anything else a request may not carry
}

RequestFields::Verdict RequestFields::addRegular(std::string_view name, std::string_view value) {
  if (isConnectionSpecific(name)) return malformed();
  switch (name.size()) {
    case 2:
      // RFC 9113 section 8.2.2: TE may only say that the client accepts trailers.
      if (name == "te" && !equalsLower(value, "trailers")) return malformed();
      break;
    case 4:
      if (name != "host") break;
      if (has(kHost) || !isValidHost(value)) return malformed();
      return keep(kHost, value);
    case 5:
      if (name == "range") return keepSingleton(kRange, value);
      break;
    case 6:
      if (name == "origin") return keepSingleton(kOrigin, value);
      if (name == "accept" && !value.empty()) return keepLine(accept_, accept_count_, value);
      break;
    case 7:
      if (name == "referer") return keep(kReferer, value);
      break;
    case 8:
      if (name == "if-range") return keepSingleton(kIfRange, value);
      break;
    case 10:
      if (name == "user-agent") return keep(kUserAgent, value);
      break;
    case 13:
      if (name == "if-none-match" && !value.empty()) {  // empty: as if absent
        return keepLine(if_none_match_, if_none_match_count_, value);
      }
      if (name == "authorization") return keepSingleton(kAuthorization, value);
      break;
    case 15:
      if (name == "accept-encoding" && !value.empty()) {  // empty: identity only
        return keepLine(accept_encoding_, accept_encoding_count_, value);
      }
      break;
    case 17:
      if (name == "if-modified-since") return keepSingleton(kIfModifiedSince, value);
      break;
    case 29:
      if (name == "access-control-request-method") {
        return keepSingleton(kCorsRequestMethod, value);
      }
      break;
    default:
      break;
  }
  return Verdict::Ok;
}

RequestFields::Span RequestFields::store(std::string_view value) {
  Span span{static_cast<std::uint32_t>(storage_.size()), static_cast<std::uint32_t>(value.size())};
  storage_.append(value);
  return span;
}

RequestFields::Verdict RequestFields::keep(Kept field, std::string_view value) {
  singles_[field] = store(value);
  present_ |= 1U << field;
  return Verdict::Ok;
}

RequestFields::Verdict RequestFields::keepSingleton(Kept field, std::string_view value) {
  if (has(field) && view(singles_[field]) != value) conflict_ |= 1U << field;
  return keep(field, value);
}

RequestFields::Verdict RequestFields::keepLine(Span (&lines)[FieldLines::kMaxLines],
                                               std::size_t& count, std::string_view value) {
  if (count == FieldLines::kMaxLines) return refuse(Status::RequestHeaderFieldsTooLarge);
  lines[count++] = store(value);
  return Verdict::Ok;
}

RequestFields::Verdict RequestFields::finish(Request& request) {
  if (verdict_ != Verdict::Ok) return verdict_;
  if (!has(kMethod)) return malformed();
  request = Request{};
  request.method_text = view(singles_[kMethod]);
  request.method = classifyMethod(request.method_text);
  const bool connect = request.method_text == "CONNECT";
  if (!connect && (!has(kPath) || !scheme_)) return malformed();
  if (has(kPath)) {
    request.target = view(singles_[kPath]);
    const bool asterisk = request.target == "*" && request.method == Method::Options;
    if (request.target.front() != '/' && !asterisk) return malformed();
  }
  if (has(kAuthority) && has(kHost) &&
      !sameAuthority(view(singles_[kAuthority]), view(singles_[kHost]))) {
    return malformed();
  }
  if (has(kAuthority) || has(kHost)) {
    request.has_host = true;
    request.host = view(singles_[has(kAuthority) ? kAuthority : kHost]);
  }
  request.version_minor = 1;  // the semantics of HTTP/1.1: persistent, Host required
  request.connection = ConnectionOption::KeepAlive;
  if (has(kUserAgent)) request.user_agent = view(singles_[kUserAgent]);
  if (has(kReferer)) request.referer = view(singles_[kReferer]);
  const auto singleton = [&](Kept field) {
    return has(field) && (conflict_ & (1U << field)) == 0 ? view(singles_[field])
                                                          : std::string_view{};
  };
  request.if_modified_since = singleton(kIfModifiedSince);
  request.if_range = singleton(kIfRange);
  // As in HTTP/1: a Range whose If-Range is in doubt is not honoured.
  request.range = (conflict_ & (1U << kIfRange)) != 0 ? std::string_view{} : singleton(kRange);
  for (std::size_t i = 0; i < if_none_match_count_; ++i) {
    request.if_none_match.lines[i] = view(if_none_match_[i]);
  }
  request.if_none_match.count = if_none_match_count_;
  for (std::size_t i = 0; i < accept_encoding_count_; ++i) {
    request.accept_encoding.lines[i] = view(accept_encoding_[i]);
  }
  request.accept_encoding.count = accept_encoding_count_;
  for (std::size_t i = 0; i < accept_count_; ++i) request.accept.lines[i] = view(accept_[i]);
  request.accept.count = accept_count_;
  request.authorization = singleton(kAuthorization);
  request.origin = singleton(kOrigin);
  request.cors_request_method = singleton(kCorsRequestMethod);
  return Verdict::Ok;
}

void RequestFields::reset() noexcept {
  storage_.clear();
  if_none_match_count_ = 0;
  accept_encoding_count_ = 0;
  accept_count_ = 0;
  list_bytes_ = 0;
  present_ = 0;
  conflict_ = 0;
  scheme_ = false;
  regular_seen_ = false;
  verdict_ = Verdict::Ok;
  status_ = Status::BadRequest;
}

void RequestFields::release() noexcept {
  reset();
  std::string().swap(storage_);
}

}  // namespace learnhttpd::http
