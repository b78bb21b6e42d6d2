// SPDX-License-Identifier: MIT
// The answer that is a file: its type, a pre-compressed sidecar or on-the-fly gzip, the header
// rules, then a conditional (304) or a range (206, 416) -- Answerer's members for the file.
#include <array>
#include <optional>

#include "http/conditional.hpp"
#include "http/range.hpp"
#include "serve/answerer.hpp"
#include "serve/gzip_encoder.hpp"

namespace learnhttpd::serve {

void Answerer::describeFile(const http::Request& request, fs::Resolved& resolved,
                            Response& response) {
  response.file = std::move(resolved.fd);
  response.setFile(static_cast<std::uint64_t>(resolved.st.st_size), resolved.st.st_mtime,
                   site_->mime.lookup(resolved.is_index ? std::string_view(site_->index) : path_));
  const bool gzip_type = site_->gzip && site_->gzip->typeMatches(response.head.content_type);
  bool compress = false;
  if (site_->precompressed || gzip_type) {
    // RFC 9110 section 12.5.5: the answer depends on Accept-Encoding whenever an encoded one
    // could be served, including the identity answer to a client that accepts none (or before a
    // sidecar exists, or while the file is too small to compress).
    response.head.vary_accept_encoding = true;
    if (!request.accept_encoding.empty()) {
      const http::AcceptedCodings accepted = http::parseAcceptEncoding(request.accept_encoding);
      if (site_->precompressed) useSidecar(accepted, resolved, response);
      if (gzip_type && response.head.content_encoding.empty() &&
          http::acceptsCoding(accepted, http::ContentCoding::Gzip) &&
          site_->gzip->sizeFits(response.head.content_length) && !rangeApplies(request, response)) {
        response.setGzip(resolved.st.st_mtime, response.head.content_length);
        compress = true;
      }
    }
  }
  if (!site_->header_rules.empty()) addHeaderRules(resolved, response);
  if (notModified(request, response.head)) {
    response.setNotModified();
  } else if (compress) {
    gzipBody(response);
  } else if (!request.range.empty()) {
    applyRange(request, response);
  }
}

// The whole file is compressed into memory before the head is written: the head then carries
// the Content-Length (no chunked coding, HTTP/1.0 clients keep their keep-alive) and HEAD the
// same length as GET, at the price of compressing for HEAD too.
void Answerer::gzipBody(Response& response) {
  const std::uint64_t size = response.head.content_length;
  std::string_view memory;
  if (response.cached && response.cached->has_body) memory = response.cached->body;
  const int fd = response.cached ? response.cached->fd.get() : response.file.get();
  std::optional<std::string_view> encoded =
      GzipEncoder::forThisThread().encode(site_->gzip->level(), memory, fd, size);
  if (!encoded) {
    // The file shrank or failed between its stat and its read: no honest body to send.
    response.setPage(http::Status::InternalServerError);
    return;
  }
  response.setEncodedBody(*encoded);
}

// A Range that would be honoured on the file (a 206 or 416) keeps the identity answer: ranges
// of bytes made afresh per request could not be trusted to fit together, and a client that
// resumes a download wants the file's bytes. One that would be ignored (no If-Range match,
// malformed) leaves the answer free to be compressed.
bool Answerer::rangeApplies(const http::Request& request, const Response& response) {
  if (request.range.empty()) return false;
  const http::ResponseHead& head = response.head;
  if (!http::ifRangeMatches(request.if_range, head.last_modified, head.etag)) return false;
  return http::evaluateRange(request.range, head.content_length).kind != http::RangeKind::Ignore;
}

// Rules match the file's path: a directory's index by its own name, so "*.html" covers "/dir/".
void Answerer::addHeaderRules(const fs::Resolved& resolved, Response& response) {
  std::string_view path = path_;
  if (resolved.is_index) {
    sidecar_path_.assign(path_);
    if (sidecar_path_.back() != '/') sidecar_path_.push_back('/');
    sidecar_path_.append(site_->index);
    path = sidecar_path_;
  }
  extra_fields_.clear();
  site_->header_rules.appendFields(path, extra_fields_);
  response.head.extra_fields = extra_fields_;
}

// A sidecar is found exactly as the file itself (find()), so it is a regular file under the
// root and never stale. It must not be older than the file: a stale .gz left behind by an edit
// of the file would otherwise serve the old content.
void Answerer::useSidecar(const http::AcceptedCodings& accepted, const fs::Resolved& original,
                          Response& response) {
  std::array<http::ContentCoding, http::kContentCodings> ranked{};
  const std::size_t n = http::rankCodings(accepted, ranked);
  for (std::size_t i = 0; i < n; ++i) {
    sidecar_path_.assign(path_);
    if (original.is_index) {
      if (sidecar_path_.back() != '/') sidecar_path_.push_back('/');
      sidecar_path_.append(site_->index);
    }
    sidecar_path_.append(http::codingSuffix(ranked[i]));
    std::shared_ptr<const fs::CachedFile> cached;
    fs::Resolved sidecar = find(sidecar_path_, false, cached);
    if (sidecar.outcome != fs::Outcome::File) continue;
    const timespec& file_time = original.st.st_mtim;
    const timespec& sidecar_time = sidecar.st.st_mtim;
    if (sidecar_time.tv_sec < file_time.tv_sec ||
        (sidecar_time.tv_sec == file_time.tv_sec && sidecar_time.tv_nsec < file_time.tv_nsec)) {
      continue;
    }
    response.cached = std::move(cached);
    response.file = std::move(sidecar.fd);
    response.setEncoded(static_cast<std::uint64_t>(sidecar.st.st_size), sidecar.st.st_mtime,
                        http::codingName(ranked[i]));
    return;
  }
}

// RFC 9110 section 13.2.2: If-None-Match decides when present; If-Modified-Since only without it.
bool Answerer::notModified(const http::Request& request, const http::ResponseHead& head) {
  if (!request.if_none_match.empty()) {  // every line of it (RFC 9110 section 5.3)
    return http::noneMatchFails(request.if_none_match, head.etag);
  }
  return http::notModifiedSince(request.if_modified_since, head.last_modified);
}

void Answerer::applyRange(const http::Request& request, Response& response) {
  const http::ResponseHead& head = response.head;
  if (!http::ifRangeMatches(request.if_range, head.last_modified, head.etag)) return;
  http::RangeDecision range = http::evaluateRange(request.range, head.content_length);
  if (range.kind == http::RangeKind::Ignore) return;
  if (range.kind == http::RangeKind::Unsatisfiable) return response.setUnsatisfiable();
  response.setRange(range.first, range.last);
}

}  // namespace learnhttpd::serve
