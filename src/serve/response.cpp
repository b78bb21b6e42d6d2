// SPDX-License-Identifier: MIT
#include "serve/response.hpp"

namespace learnhttpd::serve {

void Response::setPage(http::Status status) {
  head.status = status;
  head.content_type = "text/html";
  page = http::errorBody(status);
  head.content_length = page.size();
  // A page describes the status, not a file: no validators, ranges or file left to send.
  head.last_modified = -1;
  head.etag = {};
  head.accept_ranges = false;
  head.content_encoding = {};
  head.extra_fields = {};
  head.complete_length = -1;
  head.range_first = 0;
  head.range_last = 0;
  etag_.reset();
  file.reset();
  cached.reset();
  generated.clear();
  body = BodySource::Page;
}

void Response::setRedirect(std::string_view location, http::Status status) {
  setPage(status);
  head.location = location;
}

void Response::setMethodNotAllowed() {
  setPage(http::Status::MethodNotAllowed);
  head.allow = kAllowedMethods;
}

void Response::setOptions() {
  setPage(http::Status::NoContent);
  head.content_type = {};
  head.content_length = 0;
  head.allow = kAllowedMethods;
  page = {};
  body = BodySource::None;
}

void Response::setFile(std::uint64_t size, std::time_t mtime, std::string_view type) {
  head.status = http::Status::Ok;
  head.content_type = type;
  head.content_length = size;
  head.last_modified = mtime;
  head.etag = etag_.emplace(mtime, size).view();
  head.accept_ranges = true;
  head.complete_length = -1;
  head.range_first = 0;
  head.range_last = size == 0 ? 0 : size - 1;
  page = {};
  body = BodySource::File;
}

void Response::setEncoded(std::uint64_t size, std::time_t mtime, std::string_view coding) {
  head.content_length = size;
  head.last_modified = mtime;
  head.etag = etag_.emplace(mtime, size, coding).view();
  head.content_encoding = coding;
  head.range_last = size == 0 ? 0 : size - 1;
}

void Response::setGzip(std::time_t mtime, std::uint64_t size) {
  head.etag = etag_.emplace(mtime, size, "gzip", /*weak=*/true).view();
  head.content_encoding = "gzip";
  head.accept_ranges = false;
}

void Response::setEncodedBody(std::string_view bytes) {
  head.content_length = bytes.size();
  head.range_first = 0;
  head.range_last = bytes.empty() ? 0 : bytes.size() - 1;
  page = bytes;
  file.reset();
  cached.reset();
  body = BodySource::Encoded;
}

void Response::setGenerated(std::string bytes, std::string_view type) {
  setPage(http::Status::Ok);
  head.content_type = type;
  head.content_length = bytes.size();
  head.range_last = bytes.empty() ? 0 : bytes.size() - 1;
  page = {};
  generated = std::move(bytes);
  body = BodySource::Generated;
}

void Response::setGeneratedValidators(std::time_t mtime, std::uint64_t digest,
                                      std::string_view kind) {
  head.last_modified = mtime;
  head.etag = etag_.emplace(mtime, digest, kind, /*weak=*/true).view();
}

void Response::setErrorFile(std::uint64_t size, std::string_view type) {
  head.content_type = type;
  head.content_length = size;
  head.range_first = 0;
  head.range_last = size == 0 ? 0 : size - 1;
  page = {};
  body = BodySource::File;
}

// RFC 9110 section 15.4.5: a 304 carries the validators a 200 would have, and no content.
void Response::setNotModified() {
  head.status = http::Status::NotModified;
  head.content_type = {};
  head.content_encoding = {};
  head.content_length = 0;
  head.accept_ranges = false;
  file.reset();
  cached.reset();
  body = BodySource::None;
}

void Response::setRange(std::uint64_t first, std::uint64_t last) {
  head.status = http::Status::PartialContent;
  head.complete_length = static_cast<std::int64_t>(head.content_length);
  head.range_first = first;
  head.range_last = last;
  head.content_length = last - first + 1;
}

void Response::setUnsatisfiable() {
  const auto complete_length = static_cast<std::int64_t>(head.content_length);
  setPage(http::Status::RangeNotSatisfiable);
  head.complete_length = complete_length;
}

}  // namespace learnhttpd::serve
