// SPDX-License-Identifier: MIT
#include "protocol/http1_session.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <variant>

#include <spdlog/spdlog.h>

#include "http/http_date.hpp"
#include "http/request_parser.hpp"
#include "http/response_head.hpp"
#include "log/log.hpp"
#include "net/socket.hpp"

namespace learnhttpd::protocol {

using serve::BodySource;
using serve::Response;
namespace {

// Bodies up to this size are copied behind the head, so head and body leave in one send()
// (and pipelined answers in one send() together); larger ones go by sendfile().
constexpr std::size_t kInlineBodyMax = std::size_t{16} * 1024;
// process() stops queueing pipelined answers past this much unsent output.
constexpr std::size_t kOutputHighWater = std::size_t{64} * 1024;
constexpr std::size_t kInitialInput = 4096;
// TLS file bodies are read into a buffer of this size and written as up to two 16 KiB records.
constexpr std::size_t kTlsChunk = std::size_t{32} * 1024;

}  // namespace

Http1Session::Http1Session(SessionContext& context, std::string peer)
    : ctx_(context), peer_(std::move(peer)), answerer_(context.sites) {
  answerer_.setClient(peer_);
  answerer_.allowDeferral(true);  // handle() keeps a deferred request and process() retries it
}

bool Http1Session::startTls(const tls::ServerContext& context, int fd) {
  tls_ = tls::TlsStream::accept(context, fd);
  answerer_.setSecure(tls_ != nullptr);
  return tls_ != nullptr;
}

HandshakeStep Http1Session::handshake(std::time_t now) {
  switch (tls_->handshake()) {
    case tls::Handshake::Done:
      answerer_.setTlsServer(tls_->serverName(), tls_->authorityNames());
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
      answerer_.setSecure(false);  // the answer goes out unencrypted: no HSTS on it
      failWith(http::Status::BadRequest, now);
      return HandshakeStep::Answer;
    case tls::Handshake::Failed:
      break;
  }
  spdlog::debug("{}: TLS handshake failed, closing", peer_);
  return HandshakeStep::Close;
}

ReadResult Http1Session::readFrom(int fd) {
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
ReadResult Http1Session::readFromTls() {
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

std::span<char> Http1Session::inputSpace() {
  if (end_ == in_.size()) compactInput();
  if (end_ == in_.size() && in_.size() < ctx_.input_buffer_limit) {
    in_.resize(std::clamp(in_.size() * 2, kInitialInput, ctx_.input_buffer_limit));
  }
  return {in_.data() + end_, in_.size() - end_};
}

void Http1Session::compactInput() {
  if (start_ == 0) return;
  std::memmove(in_.data(), in_.data() + start_, end_ - start_);
  end_ -= start_;
  start_ = 0;
}

void Http1Session::consume(std::size_t n) noexcept {
  start_ += n;
  if (start_ == end_) start_ = end_ = 0;
}

void Http1Session::process(std::time_t now) {
  awaiting_answer_ = false;
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
    if (!handle(complete.request, now)) {
      // Deferred: the request stays in the buffer, parsed and answered again on the next
      // process() (the answer is then ready, or deferred again).
      awaiting_answer_ = true;
      return;
    }
    consume(complete.consumed);
    discard_ = complete.request.content_length;
    if (complete.request.chunked) chunked_ = std::make_unique<http::ChunkedDecoder>();
  }
}

// The body of a request already answered (a static server uses none) is read and dropped, so
// the next request on the connection starts at the right byte. False: wait for more input, or
// a chunked body was malformed and the connection closes once the answer is out.
bool Http1Session::skipBody() {
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

void Http1Session::failWith(http::Status status, std::time_t now) {
  // The stream can no longer be trusted (or is being cut off): answer, then close.
  Response response;
  answerer_.refuse(status, response);
  client_said_last_ = false;  // whatever it meant to send next may be on its way
  respond(response, nullptr, now);
  start_ = end_ = 0;
  discard_ = 0;
  chunked_.reset();
}

bool Http1Session::handle(const http::Request& request, std::time_t now) {
  Response response;
  response.head.version_minor = request.version_minor;
  client_said_last_ = !http::wantsKeepAlive(request);
  response.head.keep_alive = !client_said_last_ && ctx_.keepalive_enabled && !draining_ &&
                             requests_ + 1 < ctx_.keepalive_requests;
  std::string local;
  if (answerer_.needsLocalHost(request) && socket_ >= 0) net::localHost(socket_, local);
  answerer_.answer(request, response, local);
  if (response.deferred) return false;
  ++requests_;
  if (ctx_.requests != nullptr) ctx_.requests->fetch_add(1, std::memory_order_relaxed);
  respond(response, &request, now);
  return true;
}

void Http1Session::respond(Response& response, const http::Request* request, std::time_t now) {
  response.head.date = http::currentDate(now);
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
    case BodySource::Generated:
      out_.append(response.generated);
      break;
    case BodySource::File:
      whole = queueFileBody(response);
      break;
  }
  if (!response.head.keep_alive || !whole) close_after_ = true;
  if (ctx_.access_log != nullptr) logAnswer(response, request, now);
}

// False when the body cannot be what the head promised; the connection must then close.
bool Http1Session::queueFileBody(Response& response) {
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

void Http1Session::logAnswer(const Response& response, const http::Request* request,
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

FlushResult Http1Session::writeTo(int fd) {
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

FlushResult Http1Session::writeToTls() {
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
FlushResult Http1Session::sendFileThroughTls() {
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
FlushResult Http1Session::sendFileByKernelTls() {
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

void Http1Session::releaseIdleBuffers() noexcept {
  if (start_ == end_) {
    std::vector<char>().swap(in_);
    start_ = end_ = 0;
  }
  if (sent_ == out_.size()) {
    std::string().swap(out_);
    sent_ = 0;
  }
  answerer_.releaseIdleBuffers();
  std::string().swap(chunk_);
  chunk_sent_ = 0;
}

}  // namespace learnhttpd::protocol
