// SPDX-License-Identifier: MIT
#include "protocol/session.hpp"

namespace learnhttpd::protocol {

Session::Session(SessionContext& context, std::string peer)
    : ctx_(context), http1_(context, std::move(peer)) {}

Session::~Session() = default;

bool Session::startTls(const tls::ServerContext& context, int fd) {
  tls_ = true;
  return http1_.startTls(context, fd);
}

HandshakeStep Session::handshake(std::time_t now) {
  HandshakeStep step = http1_.handshake(now);
  if (step != HandshakeStep::Done) return step;
  if (http1_.negotiatedProtocol() == "h2") {
    speakHttp2(http1_.releaseTls());
  } else {
    settleHttp1();
  }
  return step;
}

bool Session::inputPending() const noexcept {
  return http2_ ? http2_->inputPending() : http1_.inputPending();
}

ReadResult Session::readFrom(int fd) {
  return http2_ ? http2_->readFrom(fd) : http1_.readFrom(fd);
}

void Session::cacheSynced() noexcept {
  if (http2_) {
    http2_->cacheSynced();
  } else {
    http1_.cacheSynced();
  }
}

// Bytes that are a strict prefix of the preface could still become it.
bool Session::awaitingPreface() const noexcept {
  if (settled_ || tls_ || !ctx_.http2_plain) return false;
  const std::string_view got = http1_.unparsed();
  return got.size() < kHttp2Preface.size() && kHttp2Preface.starts_with(got);
}

void Session::process(std::time_t now) {
  if (!settled_ && !tls_) {
    const std::string_view got = http1_.unparsed();
    if (got.empty()) return;
    if (ctx_.http2_plain && got.starts_with(kHttp2Preface)) {
      // The preface and whatever followed it belong to the HTTP/2 session.
      const std::string bytes(got);
      http1_.discardInput();
      speakHttp2(nullptr);
      http2_->takeInput(bytes);
    } else if (awaitingPreface()) {
      return;  // "PRI * HT": wait for the rest under header_timeout (midRequest())
    } else {
      settleHttp1();
    }
  }
  if (http2_) {
    http2_->process(now);
  } else {
    http1_.process(now);
  }
}

FlushResult Session::writeTo(int fd) {
  return http2_ ? http2_->writeTo(fd) : http1_.writeTo(fd);
}

void Session::drain() {
  if (http2_) {
    http2_->drain();
  } else {
    http1_.drain();
  }
}

Expiry Session::expire(std::time_t now) {
  if (http2_) {
    http2_->expire();
    return Expiry::Write;
  }
  // Idle, a handshake, or a prefix of the HTTP/2 preface: nothing an HTTP/1 answer would help.
  if (!http1_.midRequest() || awaitingPreface()) return Expiry::Close;
  http1_.failWith(http::Status::RequestTimeout, now);
  return Expiry::Write;
}

void Session::releaseIdleBuffers() noexcept {
  if (http2_) {
    http2_->releaseIdleBuffers();
  } else {
    http1_.releaseIdleBuffers();
  }
}

void Session::speakHttp2(std::unique_ptr<tls::TlsStream> tls) {
  settled_ = true;
  http2_ = std::make_unique<Http2Session>(ctx_, http1_.peer(), std::move(tls));
  http1_.releaseIdleBuffers();
}

void Session::settleHttp1() noexcept {
  settled_ = true;
  if (ctx_.counters.http1_connections != nullptr) {
    ctx_.counters.http1_connections->fetch_add(1, std::memory_order_relaxed);
  }
}

}  // namespace learnhttpd::protocol
