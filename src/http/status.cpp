// SPDX-License-Identifier: MIT
#include "http/status.hpp"

namespace learnhttpd::http {

std::string_view reasonPhrase(Status s) noexcept {
  // The phrases are those of RFC 9110 section 15; a switch over the enum lets -Wswitch flag a
  // status added to the header without a phrase here.
  switch (s) {
    case Status::Ok:
      return "OK";
    case Status::NoContent:
      return "No Content";
    case Status::PartialContent:
      return "Partial Content";
    case Status::MovedPermanently:
      return "Moved Permanently";
    case Status::NotModified:
      return "Not Modified";
    case Status::BadRequest:
      return "Bad Request";
    case Status::Forbidden:
      return "Forbidden";
    case Status::NotFound:
      return "Not Found";
    case Status::MethodNotAllowed:
      return "Method Not Allowed";
    case Status::RequestTimeout:
      return "Request Timeout";
    case Status::LengthRequired:
      return "Length Required";
    case Status::PayloadTooLarge:
      return "Content Too Large";
    case Status::UriTooLong:
      return "URI Too Long";
    case Status::RangeNotSatisfiable:
      return "Range Not Satisfiable";
    case Status::RequestHeaderFieldsTooLarge:
      return "Request Header Fields Too Large";
    case Status::InternalServerError:
      return "Internal Server Error";
    case Status::NotImplemented:
      return "Not Implemented";
    case Status::ServiceUnavailable:
      return "Service Unavailable";
    case Status::HttpVersionNotSupported:
      return "HTTP Version Not Supported";
  }
  // Only reachable through a cast of an out-of-range integer; the contract says never empty.
  return "Unknown";
}

}  // namespace learnhttpd::http
