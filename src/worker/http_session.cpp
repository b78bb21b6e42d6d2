#include "worker/http_session.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <variant>

#include "http/conditional.hpp"
#include "http/http_date.hpp"
#include "http/range.hpp"
#include "http/request_parser.hpp"
#include "http/response_head.hpp"
#include "http/target.hpp"
#include "net/socket.hpp"

namespace learnhttpd::worker {
namespace {

// Bodies up to this size are copied behind the head, so head and body leave in one send()
// (and pipelined answers in one send() together); larger ones go by sendfile().
constexpr std::size_t kInlineBodyMax = std::size_t{16} * 1024;
// process() stops queueing pipelined answers past this much unsent output.
constexpr std::size_t kOutputHighWater = std::size_t{64} * 1024;
constexpr std::size_t kInitialInput = 4096;

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

struct HttpSession::Reply {
  http::Status status = http::Status::Ok;
  bool keep_alive = true;
  net::UniqueFd file;
  std::shared_ptr<const fs::CachedFile> cached;  // instead of `file` on a cache hit
  std::uint64_t length = 0;          // body bytes to send
  std::uint64_t offset = 0;          // where they start in the file (ranges)
  std::int64_t complete_length = -1; // file size, for Content-Range on 206 / 416
  std::time_t mtime = -1;
  std::optional<http::EntityTag> etag;  // files only
  std::string_view type;
  bool allow = false;
  bool redirect = false;
};

HttpSession::HttpSession(const ServeContext& context, std::string peer)
    : ctx_(context), peer_(std::move(peer)) {}

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
    if (complete.request.chunked) {
      chunked_ = true;
      chunked_decoder_.reset();
    }
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
  http::ChunkedProgress progress = chunked_decoder_.feed({in_.data() + start_, end_ - start_});
  if (progress.status == http::ChunkedStatus::Error) {
    // Where the next request would start is unknown (RFC 9112 section 7.1): stop reading.
    chunked_ = false;
    close_after_ = true;
    start_ = end_ = 0;
    return false;
  }
  consume(progress.consumed);
  if (progress.status == http::ChunkedStatus::NeedMore) return false;
  chunked_ = false;
  return true;
}

void HttpSession::failWith(http::Status status, std::time_t now) {
  // The stream can no longer be trusted (or is being cut off): answer, then close.
  http::Request unknown;
  unknown.method_text = "-";
  unknown.target = "-";
  Reply reply;
  reply.status = status;
  reply.keep_alive = false;
  respond(unknown, reply, now);
  start_ = end_ = 0;
  discard_ = 0;
  chunked_ = false;
}

void HttpSession::handle(const http::Request& request, std::time_t now) {
  ++requests_;
  if (ctx_.status != nullptr) ctx_.status->requests.fetch_add(1, std::memory_order_relaxed);
  Reply reply;
  reply.keep_alive = http::wantsKeepAlive(request) && ctx_.keepalive_enabled && !draining_ &&
                     requests_ < ctx_.keepalive_requests;
  if (request.method == http::Method::Other) {
    reply.status = http::Status::MethodNotAllowed;
    reply.allow = true;
  } else {
    http::TargetPath target = http::decodeTarget(request.target, path_);
    if (!target.ok) {
      reply.status = target.error;
      reply.keep_alive = false;
    } else {
      fs::Resolved resolved;
      reply.cached = lookupCached(target.trailing_slash);
      if (reply.cached) {
        resolved.outcome = fs::Outcome::File;
        resolved.st = reply.cached->st;
        resolved.is_index = reply.cached->is_index;
      } else {
        resolved = ctx_.root.resolve(path_, target.trailing_slash, ctx_.index);
      }
      switch (resolved.outcome) {
        case fs::Outcome::File:
          reply.file = std::move(resolved.fd);
          reply.length = static_cast<std::uint64_t>(resolved.st.st_size);
          reply.mtime = resolved.st.st_mtime;
          reply.type = ctx_.mime.lookup(resolved.is_index ? std::string_view(ctx_.index) : path_);
          reply.etag.emplace(reply.mtime, reply.length);
          if (notModified(request, reply)) {
            reply.status = http::Status::NotModified;
            reply.file.reset();
          } else if (!request.range.empty()) {
            applyRange(request, reply);
          }
          break;
        case fs::Outcome::AddSlash:
          setRedirect(request.target, reply);
          break;
        case fs::Outcome::NotFound: reply.status = http::Status::NotFound; break;
        case fs::Outcome::NoIndex: reply.status = ctx_.missing_index_status; break;
        case fs::Outcome::Forbidden: reply.status = http::Status::Forbidden; break;
        case fs::Outcome::ServerError: reply.status = http::Status::InternalServerError; break;
      }
    }
  }
  respond(request, reply, now);
}

// The cache applies pending changes once per recv() batch: every change completed before the
// request's bytes were read is seen (the proof is in fs/open_file_cache.hpp).
std::shared_ptr<const fs::CachedFile> HttpSession::lookupCached(bool trailing_slash) {
  if (!ctx_.file_cache) return nullptr;
  if (!cache_synced_) {
    ctx_.file_cache->sync();
    cache_synced_ = true;
  }
  return ctx_.file_cache->lookup(path_, trailing_slash, ctx_.index);
}

// RFC 9110 section 13.2.2: If-None-Match decides when present; If-Modified-Since only without it.
bool HttpSession::notModified(const http::Request& request, const Reply& reply) {
  if (!request.if_none_match.empty()) {  // every line of it (RFC 9110 section 5.3)
    return http::noneMatchFails(request.if_none_match, reply.etag->view());
  }
  return http::notModifiedSince(request.if_modified_since, reply.mtime);
}

void HttpSession::applyRange(const http::Request& request, Reply& reply) {
  if (!http::ifRangeMatches(request.if_range, reply.mtime, reply.etag->view())) return;
  http::RangeDecision range = http::evaluateRange(request.range, reply.length);
  if (range.kind == http::RangeKind::Ignore) return;
  reply.complete_length = static_cast<std::int64_t>(reply.length);
  if (range.kind == http::RangeKind::Unsatisfiable) {
    reply.status = http::Status::RangeNotSatisfiable;
    reply.file.reset();
    return;
  }
  reply.status = http::Status::PartialContent;
  reply.offset = range.first;
  reply.length = range.last - range.first + 1;
}

// Location is built from the normalised, decoded path (path_), never from the client's raw
// bytes: a raw "//host/dir" (an RFC 3986 network-path reference) or "/<backslash>host/dir"
// (WHATWG URL parsers read a backslash as '/' and drop tabs and newlines) would send a browser
// to another site.
// Every byte that is not plainly safe in a path segment is percent-encoded, '/' never follows
// '/', so the value always starts with exactly one '/' followed by a segment character.
void HttpSession::setRedirect(std::string_view target, Reply& reply) {
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
  reply.status = http::Status::MovedPermanently;
  reply.redirect = true;
}

void HttpSession::respond(const http::Request& request, Reply& reply, std::time_t now) {
  const bool file_body =
      reply.status == http::Status::Ok || reply.status == http::Status::PartialContent;
  const bool not_modified = reply.status == http::Status::NotModified;
  std::string_view error_body =
      file_body || not_modified ? std::string_view{} : http::errorBody(reply.status);
  http::ResponseHead head;
  head.status = reply.status;
  head.version_minor = request.version_minor;
  head.date = currentDate(now);
  head.keep_alive = reply.keep_alive;
  head.content_length = file_body ? reply.length : error_body.size();
  head.content_type = file_body ? reply.type : not_modified ? "" : "text/html";
  head.last_modified = file_body || not_modified ? reply.mtime : -1;
  if (reply.etag && (file_body || not_modified)) head.etag = reply.etag->view();
  head.accept_ranges = file_body;
  head.complete_length = reply.complete_length;
  head.range_first = reply.offset;
  head.range_last = reply.offset + reply.length - 1;
  if (reply.redirect) head.location = location_;
  head.allow_get_head = reply.allow;
  if (sent_ == out_.size()) {
    out_.clear();
    sent_ = 0;
  }
  http::appendResponseHead(head, out_);

  const bool with_body = request.method != http::Method::Head;
  if (with_body && file_body) {
    queueFileBody(reply);
  } else if (with_body) {
    out_.append(error_body);
  }
  if (!reply.keep_alive) close_after_ = true;

  if (ctx_.access_log != nullptr) {
    ctx_.access_log->record({peer_, request.method_text, request.target, request.version_minor,
                             http::code(reply.status), with_body ? head.content_length : 0,
                             request.referer, request.user_agent, now});
  }
}

void HttpSession::queueFileBody(Reply& reply) {
  if (reply.length == 0) return;
  if (reply.cached && reply.cached->has_body) {
    out_.append(reply.cached->body, static_cast<std::size_t>(reply.offset),
                static_cast<std::size_t>(reply.length));  // a hit: no system call at all
    return;
  }
  const int fd = reply.cached ? reply.cached->fd.get() : reply.file.get();
  if (reply.length > kInlineBodyMax) {
    file_ = std::move(reply.file);
    file_cached_ = std::move(reply.cached);
    file_offset_ = static_cast<off_t>(reply.offset);
    file_remaining_ = static_cast<std::size_t>(reply.length);
    return;
  }
  std::size_t at = out_.size();
  out_.resize(at + reply.length);
  ssize_t n = ::pread(fd, out_.data() + at, reply.length, static_cast<off_t>(reply.offset));
  if (n != static_cast<ssize_t>(reply.length)) {
    // The file shrank or failed under us after the head promised its length: the only honest
    // thing left is to close, so the client sees a short body rather than a wrong one.
    out_.resize(at + static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
    reply.keep_alive = false;
  }
}

FlushResult HttpSession::writeTo(int fd) {
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
}

}  // namespace learnhttpd::worker
