// SPDX-License-Identifier: MIT
#include "worker/http_session.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <variant>

#include <spdlog/spdlog.h>

#include "http/accept_encoding.hpp"
#include "http/conditional.hpp"
#include "http/http_date.hpp"
#include "http/https_location.hpp"
#include "http/range.hpp"
#include "http/request_parser.hpp"
#include "http/response_head.hpp"
#include "http/target.hpp"
#include "log/log.hpp"
#include "net/socket.hpp"
#include "worker/gzip_encoder.hpp"

namespace learnhttpd::worker {
namespace {

// Bodies up to this size are copied behind the head, so head and body leave in one send()
// (and pipelined answers in one send() together); larger ones go by sendfile().
constexpr std::size_t kInlineBodyMax = std::size_t{16} * 1024;
// process() stops queueing pipelined answers past this much unsent output.
constexpr std::size_t kOutputHighWater = std::size_t{64} * 1024;
constexpr std::size_t kInitialInput = 4096;
// TLS file bodies are read into a buffer of this size and written as up to two 16 KiB records.
constexpr std::size_t kTlsChunk = std::size_t{32} * 1024;

std::string_view currentDate(std::time_t now) {
  thread_local http::DateCache cache;
  return cache.get(now);
}

// RFC 3986 unreserved / sub-delims / ':' / '@': safe inside a path segment as they are.
bool safeInSegment(char c) noexcept {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("-._~!$&'()*+,;=:@").find(c) != std::string_view::npos;
}

void appendPercent(std::string& out, char c) {
  constexpr char kHex[] = "0123456789ABCDEF";
  auto byte = static_cast<unsigned char>(c);
  out.push_back('%');
  out.push_back(kHex[byte >> 4]);
  out.push_back(kHex[byte & 0xf]);
}

void appendPathByte(std::string& out, char c) {
  if (safeInSegment(c)) {
    out.push_back(c);
  } else {
    appendPercent(out, c);
  }
}

// A query keeps its own escapes ('%') and RFC 3986 query characters; the rest is encoded.
void appendQueryByte(std::string& out, char c) {
  if (safeInSegment(c) || c == '/' || c == '?' || c == '%') {
    out.push_back(c);
  } else {
    appendPercent(out, c);
  }
}

}  // namespace

HttpSession::HttpSession(const ServeContext& context, std::string peer)
    : ctx_(context), peer_(std::move(peer)) {}

bool HttpSession::startTls(const tls::ServerContext& context, int fd) {
  tls_ = tls::TlsStream::accept(context, fd);
  return tls_ != nullptr;
}

HandshakeStep HttpSession::handshake(std::time_t now) {
  switch (tls_->handshake()) {
    case tls::Handshake::Done:
      return HandshakeStep::Done;
    case tls::Handshake::WantRead:
      return HandshakeStep::WantRead;
    case tls::Handshake::WantWrite:
      return HandshakeStep::WantWrite;
    case tls::Handshake::PlainHttp:
      // A browser or curl pointed at http:// on the HTTPS port would otherwise see the
      // connection die with no hint; the answer is in the only language it speaks.
      spdlog::debug("{}: plain HTTP on a TLS port, answering 400", peer_);
      plain_reply_ = true;
      failWith(http::Status::BadRequest, now);
      return HandshakeStep::Answer;
    case tls::Handshake::Failed:
      break;
  }
  spdlog::debug("{}: TLS handshake failed, closing", peer_);
  return HandshakeStep::Close;
}

ReadResult HttpSession::readFrom(int fd) {
  socket_ = fd;
  if (tls_) return readFromTls();
  std::span<char> space = inputSpace();
  if (space.empty()) return ReadResult::Error;  // a recv() of 0 bytes would look like EOF
  net::IoResult r = net::receiveSome(fd, space.data(), space.size());
  if (r.error == EAGAIN) return ReadResult::WouldBlock;
  if (r.error != 0) return ReadResult::Error;
  if (r.bytes == 0) return ReadResult::Closed;
  received(r.bytes);
  return r.bytes < space.size() ? ReadResult::Drained : ReadResult::Filled;
}

// SSL_read returns at most one record at a time: read until the buffer is full or the
// stream needs the socket again, so Drained keeps its meaning (the socket is empty) for the
// models that rely on it (threadpool's edge-triggered hand-back).
ReadResult HttpSession::readFromTls() {
  std::size_t got = 0;
  for (;;) {
    std::span<char> space = inputSpace();
    if (space.empty()) return got > 0 ? ReadResult::Filled : ReadResult::Error;
    tls::IoOutcome r = tls_->read(space.data(), space.size());
    if (r.status == tls::Io::Ok) {
      received(r.bytes);
      got += r.bytes;
      continue;
    }
    if (got > 0) return r.status == tls::Io::WantRead ? ReadResult::Drained : ReadResult::Filled;
    if (r.status == tls::Io::WantRead) return ReadResult::WouldBlock;
    // WantWrite (a key update blocked on a full send buffer) is treated as a failure.
    return r.status == tls::Io::Closed ? ReadResult::Closed : ReadResult::Error;
  }
}

std::span<char> HttpSession::inputSpace() {
  if (end_ == in_.size()) compactInput();
  if (end_ == in_.size() && in_.size() < ctx_.input_buffer_limit) {
    in_.resize(std::clamp(in_.size() * 2, kInitialInput, ctx_.input_buffer_limit));
  }
  return {in_.data() + end_, in_.size() - end_};
}

void HttpSession::compactInput() {
  if (start_ == 0) return;
  std::memmove(in_.data(), in_.data() + start_, end_ - start_);
  end_ -= start_;
  start_ = 0;
}

void HttpSession::consume(std::size_t n) noexcept {
  start_ += n;
  if (start_ == end_) start_ = end_ = 0;
}

void HttpSession::process(std::time_t now) {
  while (!close_after_ && file_remaining_ == 0 && out_.size() - sent_ < kOutputHighWater) {
    if (!skipBody()) return;
    if (start_ == end_) return;
    auto result = http::parse({in_.data() + start_, end_ - start_}, ctx_.limits);
    if (std::holds_alternative<http::NeedMore>(result)) {
      // The parser's limits make it fail before a head outgrows the buffer; should a head
      // still fill it, answer rather than have the caller read into no space (a silent close).
      if (end_ - start_ >= ctx_.input_buffer_limit) {
        failWith(http::Status::RequestHeaderFieldsTooLarge, now);
      }
      return;
    }
    if (auto* error = std::get_if<http::ParseError>(&result)) {
      failWith(error->status, now);
      return;
    }
    auto& complete = std::get<http::Complete>(result);
    handle(complete.request, now);
    consume(complete.consumed);
    discard_ = complete.request.content_length;
    if (complete.request.chunked) chunked_ = std::make_unique<http::ChunkedDecoder>();
  }
}

// The body of a request already answered (a static server uses none) is read and dropped, so
// the next request on the connection starts at the right byte. False: wait for more input, or
// a chunked body was malformed and the connection closes once the answer is out.
bool HttpSession::skipBody() {
  if (discard_ > 0) {
    std::size_t skip = static_cast<std::size_t>(std::min<std::uint64_t>(discard_, end_ - start_));
    consume(skip);
    discard_ -= skip;
    if (discard_ > 0) return false;
  }
  if (!chunked_) return true;
  http::ChunkedProgress progress = chunked_->feed({in_.data() + start_, end_ - start_});
  if (progress.status == http::ChunkedStatus::Error) {
    // Where the next request would start is unknown (RFC 9112 section 7.1): stop reading.
    chunked_.reset();
    close_after_ = true;
    start_ = end_ = 0;
    return false;
  }
  consume(progress.consumed);
  if (progress.status == http::ChunkedStatus::NeedMore) return false;
  chunked_.reset();
  return true;
}

void HttpSession::failWith(http::Status status, std::time_t now) {
  // The stream can no longer be trusted (or is being cut off): answer, then close.
  Response response;
  response.setClosingPage(status);
  client_said_last_ = false;  // whatever it meant to send next may be on its way
  respond(response, nullptr, now);
  start_ = end_ = 0;
  discard_ = 0;
  chunked_.reset();
}

void HttpSession::handle(const http::Request& request, std::time_t now) {
  ++requests_;
  if (ctx_.status != nullptr) ctx_.status->requests.fetch_add(1, std::memory_order_relaxed);
  Response response;
  response.head.version_minor = request.version_minor;
  client_said_last_ = !http::wantsKeepAlive(request);
  response.head.keep_alive = !client_said_last_ && ctx_.keepalive_enabled && !draining_ &&
                             requests_ < ctx_.keepalive_requests;
  describe(request, response);
  if (response.body == BodySource::Page && !ctx_.error_pages.empty()) useErrorPage(response);
  if (request.method == http::Method::Head) response.omitBody();
  respond(response, &request, now);
}

void HttpSession::describe(const http::Request& request, Response& response) {
  // "OPTIONS *" (the parser admits "*" with OPTIONS only) names no resource, so a plain
  // listener that redirects has no https:// URL to send it to: it gets the answer instead.
  const bool server_wide = request.target == "*";
  if (ctx_.redirect_to_https && !tls_ && !server_wide) return redirectToHttps(request, response);
  if (request.method == http::Method::Other) return response.setMethodNotAllowed();
  http::TargetPath target;
  if (!server_wide) {
    target = http::decodeTarget(request.target, path_);
    if (!target.ok) return response.setClosingPage(target.error);
    // On the decoded path, so no escape or dot-segment gets around it, and before any lookup:
    // a hidden file, its directory, index or sidecars are never opened, and the answer is the
    // missing file's (no 301 to add a slash), so whether one exists does not leak.
    if (ctx_.deny_hidden && http::isHiddenPath(path_)) {
      return response.setPage(http::Status::NotFound);
    }
  }
  if (request.method == http::Method::Options) return describeOptions(response);
  fs::Resolved resolved;
  response.cached = lookupCached(path_, target.trailing_slash);
  if (response.cached) {
    resolved.outcome = fs::Outcome::File;
    resolved.st = response.cached->st;
    resolved.is_index = response.cached->is_index;
  } else {
    resolved = ctx_.root.resolve(path_, target.trailing_slash, ctx_.index);
  }
  switch (resolved.outcome) {
    case fs::Outcome::File:
      return describeFile(request, resolved, response);
    case fs::Outcome::AddSlash:
      return redirectToDirectory(request.target, response);
    case fs::Outcome::NotFound:
      return response.setPage(http::Status::NotFound);
    case fs::Outcome::NoIndex:
      return response.setPage(ctx_.missing_index_status);
    case fs::Outcome::Forbidden:
      return response.setPage(http::Status::Forbidden);
    case fs::Outcome::ServerError:
      return response.setPage(http::Status::InternalServerError);
  }
}

// RFC 9110 section 9.3.7: what the server offers for the target. Every path is offered the same
// methods whether or not a file is there, so none is looked up. (A CORS preflight is an OPTIONS
// request too: its answer belongs here.)
void HttpSession::describeOptions(Response& response) {
  response.setOptions();
}

void HttpSession::describeFile(const http::Request& request, fs::Resolved& resolved,
                               Response& response) {
  response.file = std::move(resolved.fd);
  response.setFile(static_cast<std::uint64_t>(resolved.st.st_size), resolved.st.st_mtime,
                   ctx_.mime.lookup(resolved.is_index ? std::string_view(ctx_.index) : path_));
  const bool gzip_type = ctx_.gzip && ctx_.gzip->typeMatches(response.head.content_type);
  bool compress = false;
  if (ctx_.precompressed || gzip_type) {
    // RFC 9110 section 12.5.5: the answer depends on Accept-Encoding whenever an encoded one
    // could be served, including the identity answer to a client that accepts none (or before a
    // sidecar exists, or while the file is too small to compress).
    response.head.vary_accept_encoding = true;
    if (!request.accept_encoding.empty()) {
      const http::AcceptedCodings accepted = http::parseAcceptEncoding(request.accept_encoding);
      if (ctx_.precompressed) useSidecar(accepted, resolved, response);
      if (gzip_type && response.head.content_encoding.empty() &&
          http::acceptsCoding(accepted, http::ContentCoding::Gzip) &&
          ctx_.gzip->sizeFits(response.head.content_length) && !rangeApplies(request, response)) {
        response.setGzip(resolved.st.st_mtime, response.head.content_length);
        compress = true;
      }
    }
  }
  if (!ctx_.header_rules.empty()) addHeaderRules(resolved, response);
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
void HttpSession::gzipBody(Response& response) {
  const std::uint64_t size = response.head.content_length;
  std::string_view memory;
  if (response.cached && response.cached->has_body) memory = response.cached->body;
  const int fd = response.cached ? response.cached->fd.get() : response.file.get();
  std::optional<std::string_view> encoded =
      GzipEncoder::forThisThread().encode(ctx_.gzip->level(), memory, fd, size);
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
bool HttpSession::rangeApplies(const http::Request& request, const Response& response) {
  if (request.range.empty()) return false;
  const http::ResponseHead& head = response.head;
  if (!http::ifRangeMatches(request.if_range, head.last_modified, head.etag)) return false;
  return http::evaluateRange(request.range, head.content_length).kind != http::RangeKind::Ignore;
}

// Rules match the file's path: a directory's index by its own name, so "*.html" covers "/dir/".
void HttpSession::addHeaderRules(const fs::Resolved& resolved, Response& response) {
  std::string_view path = path_;
  if (resolved.is_index) {
    sidecar_path_.assign(path_);
    if (sidecar_path_.back() != '/') sidecar_path_.push_back('/');
    sidecar_path_.append(ctx_.index);
    path = sidecar_path_;
  }
  extra_fields_.clear();
  ctx_.header_rules.appendFields(path, extra_fields_);
  response.head.extra_fields = extra_fields_;
}

// The operator's page for an error status, found like any file (cache or DocumentRoot, so only
// a regular file under the root); when it cannot be served the built-in page stays.
void HttpSession::useErrorPage(Response& response) {
  const std::string* page = ctx_.errorPage(response.head.status);
  if (page == nullptr) return;
  fs::Resolved resolved;
  std::shared_ptr<const fs::CachedFile> cached = lookupCached(*page, false);
  if (cached) {
    resolved.outcome = fs::Outcome::File;
    resolved.st = cached->st;
  } else {
    resolved = ctx_.root.resolve(*page, false, ctx_.index);
  }
  if (resolved.outcome != fs::Outcome::File) return;
  response.cached = std::move(cached);
  response.file = std::move(resolved.fd);
  response.setErrorFile(static_cast<std::uint64_t>(resolved.st.st_size), ctx_.mime.lookup(*page));
}

// A sidecar is found exactly as the file itself: through the open-file cache (exact, see
// fs/open_file_cache.hpp) or DocumentRoot::resolve, so it is a regular file under the root
// reached without escaping symlinks, and never stale. It must not be older than the file: a
// stale .gz left behind by an edit of the file would otherwise serve the old content.
void HttpSession::useSidecar(const http::AcceptedCodings& accepted, const fs::Resolved& original,
                             Response& response) {
  std::array<http::ContentCoding, http::kContentCodings> ranked{};
  const std::size_t n = http::rankCodings(accepted, ranked);
  for (std::size_t i = 0; i < n; ++i) {
    sidecar_path_.assign(path_);
    if (original.is_index) {
      if (sidecar_path_.back() != '/') sidecar_path_.push_back('/');
      sidecar_path_.append(ctx_.index);
    }
    sidecar_path_.append(http::codingSuffix(ranked[i]));
    fs::Resolved sidecar;
    std::shared_ptr<const fs::CachedFile> cached = lookupCached(sidecar_path_, false);
    if (cached) {
      sidecar.outcome = fs::Outcome::File;
      sidecar.st = cached->st;
    } else {
      sidecar = ctx_.root.resolve(sidecar_path_, false, ctx_.index);
    }
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

// The cache applies pending changes once per recv() batch: every change completed before the
// request's bytes were read is seen (the proof is in fs/open_file_cache.hpp).
std::shared_ptr<const fs::CachedFile> HttpSession::lookupCached(const std::string& path,
                                                                bool trailing_slash) {
  if (!ctx_.file_cache) return nullptr;
  if (!cache_synced_) {
    ctx_.file_cache->sync();
    cache_synced_ = true;
  }
  return ctx_.file_cache->lookup(path, trailing_slash, ctx_.index);
}

// RFC 9110 section 13.2.2: If-None-Match decides when present; If-Modified-Since only without it.
bool HttpSession::notModified(const http::Request& request, const http::ResponseHead& head) {
  if (!request.if_none_match.empty()) {  // every line of it (RFC 9110 section 5.3)
    return http::noneMatchFails(request.if_none_match, head.etag);
  }
  return http::notModifiedSince(request.if_modified_since, head.last_modified);
}

void HttpSession::applyRange(const http::Request& request, Response& response) {
  const http::ResponseHead& head = response.head;
  if (!http::ifRangeMatches(request.if_range, head.last_modified, head.etag)) return;
  http::RangeDecision range = http::evaluateRange(request.range, head.content_length);
  if (range.kind == http::RangeKind::Ignore) return;
  if (range.kind == http::RangeKind::Unsatisfiable) return response.setUnsatisfiable();
  response.setRange(range.first, range.last);
}

// Location is built from the normalised, decoded path (path_), never from the client's raw
// bytes: a raw "//host/dir" (an RFC 3986 network-path reference) or "/<backslash>host/dir"
// (WHATWG URL parsers read a backslash as '/' and drop tabs and newlines) would send a browser
// to another site.
// Every byte that is not plainly safe in a path segment is percent-encoded, '/' never follows
// '/', so the value always starts with exactly one '/' followed by a segment character.
void HttpSession::redirectToDirectory(std::string_view target, Response& response) {
  location_.clear();
  for (char c : path_) {
    if (c == '/') {
      if (location_.empty() || location_.back() != '/') location_.push_back('/');
    } else {
      appendPathByte(location_, c);
    }
  }
  if (location_.empty() || location_.back() != '/') location_.push_back('/');
  // The query is kept as sent (its escapes are the client's business), minus any byte that
  // does not belong in a header value or a URL.
  std::size_t query = target.find('?');
  if (query != std::string_view::npos) {
    std::string_view rest = target.substr(query, target.find('#', query) - query);
    for (char c : rest) appendQueryByte(location_, c);
  }
  response.setRedirect(location_);
}

// Every request on a plain listener, whatever its method or path, like nginx's `return 301`
// in a server block; only a target that could not be served over HTTPS either is refused
// first. The host is the client's (it named us), checked to be a plain host name or address
// so that the value cannot point anywhere else; a request naming none (HTTP/1.0 without Host)
// gets the address it reached us on, as nginx does.
void HttpSession::redirectToHttps(const http::Request& request, Response& response) {
  http::TargetPath target = http::decodeTarget(request.target, path_);
  if (!target.ok) return response.setClosingPage(target.error);
  std::optional<std::string_view> authority = http::requestAuthority(request);
  std::string local;
  if (!authority && socket_ >= 0) {
    net::localHost(socket_, local);
    authority = local;
  }
  location_.clear();
  if (!authority ||
      !http::appendHttpsLocation(*authority, request.target, ctx_.https_port, location_)) {
    return response.setClosingPage(http::Status::BadRequest);
  }
  response.setRedirect(location_);
}

void HttpSession::respond(Response& response, const http::Request* request, std::time_t now) {
  response.head.date = currentDate(now);
  // RFC 6797 section 7.2: only over a secure connection; then on every answer.
  if (tls_ && !plain_reply_ && !ctx_.hsts_field.empty()) addHsts(response);
  if (sent_ == out_.size()) {
    out_.clear();
    sent_ = 0;
  }
  http::appendResponseHead(response.head, out_);
  bool whole = true;
  switch (response.body) {
    case BodySource::None:
      break;
    case BodySource::Page:
    case BodySource::Encoded:
      out_.append(response.page);
      break;
    case BodySource::File:
      whole = queueFileBody(response);
      break;
  }
  if (!response.head.keep_alive || !whole) close_after_ = true;
  if (ctx_.access_log != nullptr) logAnswer(response, request, now);
}

void HttpSession::addHsts(Response& response) {
  std::string_view fields = response.head.extra_fields;
  if (fields.empty()) {
    response.head.extra_fields = ctx_.hsts_field;
    return;
  }
  if (fields.data() != extra_fields_.data()) extra_fields_.assign(fields);  // else it is ours
  extra_fields_.append(ctx_.hsts_field);
  response.head.extra_fields = extra_fields_;
}

// False when the body cannot be what the head promised; the connection must then close.
bool HttpSession::queueFileBody(Response& response) {
  const std::uint64_t length = response.head.content_length;
  const std::uint64_t offset = response.head.range_first;
  if (length == 0) return true;
  if (response.cached && response.cached->has_body) {
    out_.append(response.cached->body, static_cast<std::size_t>(offset),
                static_cast<std::size_t>(length));  // a hit: no system call at all
    return true;
  }
  const int fd = response.cached ? response.cached->fd.get() : response.file.get();
  if (length > kInlineBodyMax) {
    file_ = std::move(response.file);  // kept until writeTo() has sent the body
    file_cached_ = std::move(response.cached);
    file_offset_ = static_cast<off_t>(offset);
    file_remaining_ = static_cast<std::size_t>(length);
    return true;
  }
  std::size_t at = out_.size();
  out_.resize(at + length);
  ssize_t n = ::pread(fd, out_.data() + at, length, static_cast<off_t>(offset));
  if (n != static_cast<ssize_t>(length)) {
    // The file shrank or failed under us after the head promised its length: the only honest
    // thing left is to close, so the client sees a short body rather than a wrong one.
    out_.resize(at + static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
    return false;
  }
  return true;
}

void HttpSession::logAnswer(const Response& response, const http::Request* request,
                            std::time_t now) {
  log::AccessEntry entry;  // the request's parts stay "-" and empty when none could be read
  entry.peer = peer_;
  entry.method = "-";
  entry.target = "-";
  entry.status = http::code(response.head.status);
  entry.body_bytes = response.bodyLength();
  entry.when = now;
  if (request != nullptr) {
    entry.method = request->method_text;
    entry.target = request->target;
    entry.version_minor = request->version_minor;
    entry.referer = request->referer;
    entry.user_agent = request->user_agent;
  }
  ctx_.access_log->record(entry);
}

FlushResult HttpSession::writeTo(int fd) {
  if (tls_ && !plain_reply_) return writeToTls();
  while (sent_ < out_.size()) {
    net::IoResult r = net::sendSome(fd, out_.data() + sent_, out_.size() - sent_,
                                    /*more=*/file_remaining_ > 0);
    if (r.error == EAGAIN) return FlushResult::WouldBlock;
    if (r.error != 0) return FlushResult::Error;
    sent_ += r.bytes;
  }
  out_.clear();
  sent_ = 0;
  while (file_remaining_ > 0) {
    int in = file_ ? file_.get() : file_cached_->fd.get();
    net::IoResult r = net::sendFileSome(fd, in, file_offset_, file_remaining_);
    if (r.error == EAGAIN) return FlushResult::WouldBlock;
    if (r.error != 0) return FlushResult::Error;
    if (r.bytes == 0) return FlushResult::Error;  // the file was truncated under us
    file_remaining_ -= r.bytes;
  }
  file_.reset();
  file_cached_.reset();
  return FlushResult::Done;
}

FlushResult HttpSession::writeToTls() {
  while (sent_ < out_.size()) {
    tls::IoOutcome r = tls_->write(out_.data() + sent_, out_.size() - sent_);
    if (r.status == tls::Io::WantWrite) return FlushResult::WouldBlock;
    if (r.status != tls::Io::Ok) return FlushResult::Error;
    sent_ += r.bytes;
  }
  out_.clear();
  sent_ = 0;
  if (file_remaining_ > 0) {
    FlushResult body = tls_->kernelSend() ? sendFileByKernelTls() : sendFileThroughTls();
    if (body != FlushResult::Done) return body;
  }
  file_.reset();
  file_cached_.reset();
  chunk_.clear();
  chunk_sent_ = 0;
  // The last answer: tell the client it is complete (a truncation attack cannot fake that).
  if (close_after_) tls_->closeNotify();
  return FlushResult::Done;
}

// No sendfile: the bytes must pass through OpenSSL. A chunk read from the file stays in
// chunk_ until fully written, so a retry after WantWrite offers OpenSSL the same bytes.
FlushResult HttpSession::sendFileThroughTls() {
  while (file_remaining_ > 0) {
    if (chunk_sent_ == chunk_.size()) {
      const int in = file_ ? file_.get() : file_cached_->fd.get();
      chunk_.resize(std::min(file_remaining_, kTlsChunk));
      ssize_t n = ::pread(in, chunk_.data(), chunk_.size(), file_offset_);
      if (n <= 0) return FlushResult::Error;  // the file was truncated or failed under us
      chunk_.resize(static_cast<std::size_t>(n));
      chunk_sent_ = 0;
    }
    tls::IoOutcome r = tls_->write(chunk_.data() + chunk_sent_, chunk_.size() - chunk_sent_);
    if (r.status == tls::Io::WantWrite) return FlushResult::WouldBlock;
    if (r.status != tls::Io::Ok) return FlushResult::Error;
    chunk_sent_ += r.bytes;
    file_offset_ += static_cast<off_t>(r.bytes);
    file_remaining_ -= r.bytes;
  }
  return FlushResult::Done;
}

// Kernel TLS: the kernel encrypts, so the file goes by sendfile as on a plain connection,
// without a copy through user space; nothing is held back between calls, so a retry after
// WantWrite simply goes on from the offset reached.
FlushResult HttpSession::sendFileByKernelTls() {
  while (file_remaining_ > 0) {
    const int in = file_ ? file_.get() : file_cached_->fd.get();
    tls::IoOutcome r = tls_->sendFile(in, file_offset_, file_remaining_);
    if (r.status == tls::Io::WantWrite) return FlushResult::WouldBlock;
    if (r.status != tls::Io::Ok) return FlushResult::Error;
    file_offset_ += static_cast<off_t>(r.bytes);
    file_remaining_ -= r.bytes;
  }
  return FlushResult::Done;
}

void HttpSession::releaseIdleBuffers() noexcept {
  if (start_ == end_) {
    std::vector<char>().swap(in_);
    start_ = end_ = 0;
  }
  if (sent_ == out_.size()) {
    std::string().swap(out_);
    sent_ = 0;
  }
  std::string().swap(path_);
  std::string().swap(location_);
  std::string().swap(sidecar_path_);
  std::string().swap(extra_fields_);
  std::string().swap(chunk_);
  chunk_sent_ = 0;
}

}  // namespace learnhttpd::worker
