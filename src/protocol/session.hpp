// SPDX-License-Identifier: MIT
#pragma once
// Session: one connection of a production model (event, threadpool), whichever protocol it
// turns out to speak. It starts as HTTP/1.x -- an Http1Session does the TLS handshake and reads
// the first bytes -- and becomes HTTP/2 (an Http2Session, which takes the TLS stream and the
// bytes already read) when the handshake's ALPN chose "h2", or, on a plain connection with
// http2.plain, when the first bytes are the client preface (RFC 9113 section 3.3: prior
// knowledge; there is no Upgrade: h2c). The choice is made once, before any request is
// answered. A model drives a Session exactly as it would an Http1Session (see there); the
// teaching models use Http1Session itself and speak HTTP/1.1 only.
// One session is used by one thread at a time (the connection's owner at that moment).

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <memory>
#include <string>

#include "protocol/http1_session.hpp"
#include "protocol/http2_session.hpp"
#include "protocol/session_context.hpp"
#include "tls/server_context.hpp"

namespace learnhttpd::protocol {

// What expire() left to do.
enum class Expiry {
  Close,  // nothing to say: close now
  Write,  // an answer (HTTP/1's 408) or a GOAWAY is queued: write it, then close
};

class Session {
 public:
  Session(SessionContext& context, std::string peer);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // A TLS connection: HTTP/2 only if ALPN chooses it.
  bool startTls(const tls::ServerContext& context, int fd);
  bool handshaking() const noexcept { return !http2_ && http1_.handshaking(); }
  // One step of the TLS handshake; when it completes with ALPN "h2" the connection is HTTP/2
  // from then on.
  HandshakeStep handshake(std::time_t now);
  bool inputPending() const noexcept;

  ReadResult readFrom(int fd);
  void cacheSynced() noexcept;
  // On a plain connection that may speak HTTP/2, the first bytes decide before anything is
  // parsed: the preface (all 24 bytes of it) makes it HTTP/2; a prefix of it waits for more.
  void process(std::time_t now);
  FlushResult writeTo(int fd);

  bool hasOutput() const noexcept { return http2_ ? http2_->hasOutput() : http1_.hasOutput(); }
  // An answer waits for a credential check: process() again when the checks wake the worker.
  bool awaitingAnswer() const noexcept {
    return http2_ ? http2_->awaitingAnswer() : http1_.awaitingAnswer();
  }
  bool closeAfterOutput() const noexcept {
    return http2_ ? http2_->closeAfterOutput() : http1_.closeAfterOutput();
  }
  bool midRequest() const noexcept { return http2_ ? http2_->midRequest() : http1_.midRequest(); }
  bool lingerBeforeClose() const noexcept {
    return http2_ ? http2_->lingerBeforeClose() : http1_.lingerBeforeClose();
  }
  unsigned requestsServed() const noexcept {
    return http2_ ? http2_->requestsServed() : http1_.requestsServed();
  }
  // Graceful stop: HTTP/1 answers with "Connection: close", HTTP/2 says GOAWAY (see there).
  void drain();
  // The connection's wait for input ran out (worker/input_deadline.hpp).
  Expiry expire(std::time_t now);
  void releaseIdleBuffers() noexcept;

  // The HTTP/2 session once the connection speaks HTTP/2, else nullptr.
  const Http2Session* http2() const noexcept { return http2_.get(); }

 private:
  void speakHttp2(std::unique_ptr<tls::TlsStream> tls);
  void settleHttp1() noexcept;
  bool awaitingPreface() const noexcept;

  SessionContext& ctx_;
  Http1Session http1_;
  std::unique_ptr<Http2Session> http2_;
  bool tls_ = false;
  bool settled_ = false;  // the protocol is known (and counted)
};

}  // namespace learnhttpd::protocol
