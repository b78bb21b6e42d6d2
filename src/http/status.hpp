// SPDX-License-Identifier: MIT
#pragma once
// HTTP status codes the server emits, and their reason phrases (RFC 9110 section 15).

#include <array>
#include <string_view>

namespace learnhttpd::http {

enum class Status : int {
  Ok = 200,
  NoContent = 204,
  PartialContent = 206,
  MovedPermanently = 301,
  Found = 302,
  NotModified = 304,
  TemporaryRedirect = 307,
  PermanentRedirect = 308,
  BadRequest = 400,
  Unauthorized = 401,
  Forbidden = 403,
  NotFound = 404,
  MethodNotAllowed = 405,
  RequestTimeout = 408,
  LengthRequired = 411,
  PayloadTooLarge = 413,
  UriTooLong = 414,
  RangeNotSatisfiable = 416,
  MisdirectedRequest = 421,
  TooManyRequests = 429,
  RequestHeaderFieldsTooLarge = 431,
  InternalServerError = 500,
  NotImplemented = 501,
  ServiceUnavailable = 503,
  HttpVersionNotSupported = 505,
};

// Every status above, for tables built once (the error bodies) and for tests.
inline constexpr std::array kAllStatuses = {
    Status::Ok,
    Status::NoContent,
    Status::PartialContent,
    Status::MovedPermanently,
    Status::Found,
    Status::NotModified,
    Status::TemporaryRedirect,
    Status::PermanentRedirect,
    Status::BadRequest,
    Status::Unauthorized,
    Status::Forbidden,
    Status::NotFound,
    Status::MethodNotAllowed,
    Status::RequestTimeout,
    Status::LengthRequired,
    Status::PayloadTooLarge,
    Status::UriTooLong,
    Status::RangeNotSatisfiable,
    Status::MisdirectedRequest,
    Status::TooManyRequests,
    Status::RequestHeaderFieldsTooLarge,
    Status::InternalServerError,
    Status::NotImplemented,
    Status::ServiceUnavailable,
    Status::HttpVersionNotSupported,
};

constexpr int code(Status s) noexcept {
  return static_cast<int>(s);
}

// The reason phrase, e.g. "Not Found". Never empty.
std::string_view reasonPhrase(Status s) noexcept;

// One sentence for a person reading the built-in error page, e.g. "There is no file at this
// address." Never empty; plain ASCII without markup characters, so it needs no escaping.
std::string_view explanation(Status s) noexcept;

}  // namespace learnhttpd::http
