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
    case Status::Found:
      return "Found";
    case Status::NotModified:
      return "Not Modified";
    case Status::TemporaryRedirect:
      return "Temporary Redirect";
    case Status::PermanentRedirect:
      return "Permanent Redirect";
    case Status::Unauthorized:
      return "Unauthorized";
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
    case Status::MisdirectedRequest:
      return "Misdirected Request";
    case Status::TooManyRequests:
      return "Too Many Requests";
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

std::string_view explanation(Status s) noexcept {
  switch (s) {
    case Status::Ok:
    case Status::NoContent:
    case Status::PartialContent:
    case Status::NotModified:
      return "The request succeeded.";
    case Status::MovedPermanently:
    case Status::PermanentRedirect:
      return "This page has moved to the address given in the Location header.";
    case Status::Found:
    case Status::TemporaryRedirect:
      return "This page is for now at the address given in the Location header.";
    case Status::Unauthorized:
      return "This page needs a user name and password.";
    case Status::BadRequest:
      return "The server could not read this request.";
    case Status::Forbidden:
      return "The server may not show what is at this address.";
    case Status::NotFound:
      return "There is no file at this address.";
    case Status::MethodNotAllowed:
      return "This server answers GET, HEAD and OPTIONS requests only.";
    case Status::RequestTimeout:
      return "The request did not arrive in time.";
    case Status::LengthRequired:
      return "A request with a body has to state its length.";
    case Status::PayloadTooLarge:
      return "The request body is larger than this server accepts.";
    case Status::UriTooLong:
      return "The address is longer than this server accepts.";
    case Status::RangeNotSatisfiable:
      return "The requested byte range lies outside the file.";
    case Status::MisdirectedRequest:
      return "This connection cannot answer for the host the request names; open a new one.";
    case Status::TooManyRequests:
      return "Too many wrong passwords from this address; please wait a little.";
    case Status::RequestHeaderFieldsTooLarge:
      return "The request header is larger than this server accepts.";
    case Status::InternalServerError:
      return "Something went wrong on the server while answering.";
    case Status::NotImplemented:
      return "The server does not support what this request asks for.";
    case Status::ServiceUnavailable:
      return "The server cannot answer right now; please try again shortly.";
    case Status::HttpVersionNotSupported:
      return "This server speaks HTTP/1.0 and HTTP/1.1.";
  }
  return "The server could not answer this request.";
}

}  // namespace learnhttpd::http
