// SPDX-License-Identifier: MIT
#pragma once
// Response: everything one request is answered with, described once. serve::Answerer fills it
// through the setters below; a protocol session (protocol/) then only serialises `head` in its
// framing, sends the body named by `body` and logs. Nothing is translated on the way: what the
// head says (Content-Length, Content-Range, validators) and what follows it are the same fields.
//
// Not copyable or movable: `head.etag` views the entity tag stored inside. A plain value
// otherwise, used by one thread; the setters do no I/O.

#include <cstdint>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/unique_fd.hpp"
#include "fs/open_file_cache.hpp"
#include "http/conditional.hpp"
#include "http/response_head.hpp"
#include "http/status.hpp"

namespace learnhttpd::serve {

// Where the bytes after the head come from.
enum class BodySource {
  None,       // no body: a 304, a 204, or the answer to HEAD (whose head still says what GET
              // would get)
  Page,       // inline bytes: `page`, the error page of the status (also a redirect's)
  File,       // head.content_length bytes of a file from offset head.range_first (0 unless 206),
              // out of `file` or, on an open-file cache hit, `cached`
  Encoded,    // inline bytes: `page`, the file compressed for this request (GzipEncoder's
              // buffer: valid until the thread encodes again, so queued by the session at once)
  Generated,  // bytes made for this request (a listing, say): `generated`, owned by the response
};

// The methods a static file answers to, for Allow (405 and OPTIONS).
inline constexpr std::string_view kAllowedMethods = "GET, HEAD, OPTIONS";

struct Response {
  Response() = default;
  Response(const Response&) = delete;
  Response& operator=(const Response&) = delete;

  // The answer is the status's error page, as text/html; any file and validators are dropped.
  void setPage(http::Status status);
  // setPage, and the connection closes after it: the request stream can no longer be trusted.
  void setClosingPage(http::Status status) {
    setPage(status);
    head.keep_alive = false;
  }
  // 301 (or `status`: 302, 307, 308) to `location` (which must outlive the response), with the
  // status's page as body.
  void setRedirect(std::string_view location, http::Status status = http::Status::MovedPermanently);
  // 405 with "Allow: GET, HEAD, OPTIONS".
  void setMethodNotAllowed();
  // The answer to OPTIONS: 204 with "Allow: GET, HEAD, OPTIONS", no content and no
  // Content-Length (RFC 9110 sections 9.3.7 and 15.3.5).
  void setOptions();
  // 200 with the whole file (attach it to `file` or `cached`): its length, type, validators
  // (Last-Modified, ETag) and Accept-Ranges.
  void setFile(std::uint64_t size, std::time_t mtime, std::string_view type);
  // After setFile, when the body comes from a pre-compressed sidecar instead: its length and
  // mtime, "Content-Encoding: <coding>" and an entity tag of its own (validators and ranges then
  // describe the encoded bytes). The type stays the original file's.
  void setEncoded(std::uint64_t size, std::time_t mtime, std::string_view coding);
  // After setFile, when the file is to be compressed for this request (on-the-fly gzip):
  // "Content-Encoding: gzip", the weak entity tag W/"<mtime>-<size>-gzip" of the file (the
  // bytes are equivalent, not guaranteed identical, from one request to the next) and no
  // Accept-Ranges. The length stays the file's until setEncodedBody; a 304 needs no body.
  void setGzip(std::time_t mtime, std::uint64_t size);
  // After setGzip: the compressed bytes (see BodySource::Encoded) are the body and say the
  // Content-Length; the file is let go.
  void setEncodedBody(std::string_view bytes);
  // After setPage (an error status): the body is instead the page file (attach it to `file` or
  // `cached`) of `size` bytes, whole, with `type`. The status and a 416's Content-Range stay.
  void setErrorFile(std::uint64_t size, std::string_view type);
  // After setFile: 304, the validators (and Vary, extra fields) only and no body.
  void setNotModified();
  // After setFile: 206 with bytes first..last (inclusive, within the file).
  void setRange(std::uint64_t first, std::uint64_t last);
  // After setFile: 416 naming the file's length in Content-Range, with the 416 page as body.
  void setUnsatisfiable();
  // 200 with `bytes` made for this request as the body, of `type`; no validators or ranges
  // unless the caller sets them.
  void setGenerated(std::string bytes, std::string_view type);
  // After setGenerated: the validators of bytes made per request from something that has them
  // (a listing from its directory): Last-Modified `mtime` and the weak entity tag
  // W/"<mtime>-<digest>-<kind>" (`kind` at most 8 characters).
  void setGeneratedValidators(std::time_t mtime, std::uint64_t digest, std::string_view kind);
  // No body follows the head (HEAD): the head is left as it is.
  void omitBody() noexcept { body = BodySource::None; }

  // Body bytes that follow the head, as queued and logged.
  std::uint64_t bodyLength() const noexcept {
    return body == BodySource::None ? 0 : head.content_length;
  }

  // The protocol session fills `date`, version_minor and keep_alive; the setters the rest.
  http::ResponseHead head;
  // Not an answer yet: the request's credentials are being verified off this thread (only
  // when the session allowed it: Answerer::allowDeferral). Send nothing; ask again with the
  // same request once the Sites' CredentialChecks::wakeFd() has been readable.
  bool deferred = false;
  BodySource body = BodySource::None;
  std::string_view page;  // BodySource::Page: static storage (http::errorBody)
  base::UniqueFd file;    // BodySource::File: opened for this request, or
  std::shared_ptr<const fs::CachedFile> cached;  // the open-file cache's entry
  std::string generated;                         // BodySource::Generated

 private:
  std::optional<http::EntityTag> etag_;  // the storage head.etag views
};

}  // namespace learnhttpd::serve
