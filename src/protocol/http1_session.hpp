// SPDX-License-Identifier: MIT
#pragma once
// Http1Session: one HTTP/1.x connection -- buffered input, parsing, pipelining, keep-alive,
// buffered output and the pending file body, over a plain or TLS socket -- with no event loop
// and no threads in it, so every worker model drives the very same code. What to answer is
// not its business: it asks serve::Answerer and writes what it says in HTTP/1.1 framing.
// A model only waits and moves bytes:
//   readFrom(fd)                  // one recv() into the input buffer
//   process(now);                 // parses and answers as many requests as it may
//   writeTo(fd) until Done;       // head and small bodies from memory, big bodies by sendfile
//   closeAfterOutput()? close : process() again for pipelined requests, or wait for input.
// One session is used by one thread at a time (the connection's owner at that moment).

#include <sys/types.h>

#include <cstddef>
#include <ctime>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/unique_fd.hpp"
#include "fs/open_file_cache.hpp"
#include "http/chunked_decoder.hpp"
#include "http/request.hpp"
#include "http/status.hpp"
#include "protocol/session_context.hpp"
#include "serve/answerer.hpp"
#include "serve/response.hpp"
#include "tls/server_context.hpp"
#include "tls/tls_stream.hpp"

namespace learnhttpd::protocol {

enum class FlushResult { Done, WouldBlock, Error };

// What one readFrom() did.
enum class ReadResult {
  Filled,      // bytes buffered, as many as there was room for: the socket may hold more
  Drained,     // bytes buffered, fewer than there was room for: the socket was empty after them
  WouldBlock,  // nothing to read yet (non-blocking socket)
  Closed,      // the peer closed its side: no request will follow
  Error,       // the connection failed (reset, ...), or the input buffer is at its limit
};

// What one handshake() step did (TLS connections).
enum class HandshakeStep {
  Done,       // established: read requests
  WantRead,   // wait for the socket to be readable (header_timeout runs), then step again
  WantWrite,  // wait for it to be writable, then step again
  Answer,     // plain HTTP on the TLS port: a 400 is queued in plain text; write it, then close
  Close,      // the client is not speaking TLS we accept: close (nothing to send)
};

inline bool receivedInput(ReadResult r) noexcept {
  return r == ReadResult::Filled || r == ReadResult::Drained;
}

class Http1Session {
 public:
  // `context` outlives the session (its sites' file cache is used, so not const).
  Http1Session(SessionContext& context, std::string peer);

  // Makes this a TLS connection over the socket `fd`: readFrom/writeTo then go through it,
  // after handshake() has returned Done. False when OpenSSL cannot set one up (close).
  bool startTls(const tls::ServerContext& context, int fd);
  // True from startTls() until handshake() returned Done or Answer.
  bool handshaking() const noexcept { return tls_ && !tls_->established() && !plain_reply_; }
  // One non-blocking step of the TLS handshake. Failures are the client's and are not logged
  // above debug level.
  HandshakeStep handshake(std::time_t now);
  // Decrypted bytes wait inside the TLS stream: readFrom() has input although the socket may
  // not be readable (an event loop must not wait for readiness first).
  bool inputPending() const noexcept { return tls_ && tls_->pending(); }

  // One recv() from the socket `fd` (non-blocking or blocking alike) into the input buffer.
  // `fd` must stay the connection's socket while the session lives (a redirect to HTTPS for a
  // request without Host names its local address).
  // On a TLS connection: decrypted bytes, as many as fit or until the socket is empty
  // (Drained then means the socket had nothing more, as for recv()).
  // Does not parse: call process() after input was received. The buffer cannot be at its
  // limit after process() (a head that fills it is answered 431); should it be, no recv() is
  // made and the answer is Error.
  ReadResult readFrom(int fd);

  // The same without a socket (tests, fuzzing): where the next bytes may be written (empty
  // when the input buffer is at its limit), then how many were.
  std::span<char> inputSpace();
  void received(std::size_t n) noexcept {
    end_ += n;
    answerer_.received();  // the file cache must apply changes made before these bytes came
  }
  // The caller has run the file cache's sync() after this session's last recv(): process()
  // need not run it again (a model that syncs once for a batch of connections).
  void cacheSynced() noexcept { answerer_.cacheSynced(); }

  // Parses buffered input and answers complete requests, in order, until output must be
  // flushed first (a file body is pending, or enough bytes are queued), input runs out, the
  // connection must close, or an answer is deferred (awaitingAnswer()). Never blocks, never
  // throws on client bytes.
  void process(std::time_t now);
  // The last process() stopped at a request whose answer is not ready (its credentials are
  // being verified off the loop: serve::CredentialChecks): call process() again once the
  // checks' wake-up descriptor was readable. Until then nothing of it is sent.
  bool awaitingAnswer() const noexcept { return awaiting_answer_; }

  // Answers with `status` and closes afterwards (408 on a header timeout, 503 when shedding).
  void failWith(http::Status status, std::time_t now);

  // Writes pending output to the socket `fd` (non-blocking or blocking alike).
  FlushResult writeTo(int fd);

  bool hasOutput() const noexcept { return sent_ < out_.size() || file_remaining_ > 0; }
  bool closeAfterOutput() const noexcept { return close_after_; }
  // Bytes of an unfinished request are buffered, or the body of an answered one is still being
  // skipped (the header timeout applies, not keep-alive's).
  bool midRequest() const noexcept { return end_ > start_ || discard_ > 0 || chunked_; }
  // After the last answer: the client may still be sending (bytes of a request are buffered,
  // an error cut the stream short, or we close a connection it meant to keep), so a plain
  // close() could reset the answer in flight: shut our side and discard input for a while. Not
  // when the client said this request was its last (RFC 9112 section 9.6) and nothing is left.
  bool lingerBeforeClose() const noexcept { return midRequest() || !client_said_last_; }
  // Answer the current and later requests with "Connection: close" (graceful stop).
  void drain() noexcept { draining_ = true; }
  unsigned requestsServed() const noexcept { return requests_; }
  // Frees the buffers a connection does not need while it waits for its next request (idle
  // keep-alive): they are allocated again by the next inputSpace()/answer. Call only when
  // !hasOutput(); keeps any buffered bytes of an unfinished request.
  void releaseIdleBuffers() noexcept;

  // For the session that takes the connection over when it turns out to speak HTTP/2
  // (protocol/session.hpp): the client's address, the bytes received and not yet parsed, and
  // the TLS stream.
  const std::string& peer() const noexcept { return peer_; }
  std::string_view unparsed() const noexcept { return {in_.data() + start_, end_ - start_}; }
  void discardInput() noexcept { start_ = end_ = 0; }
  std::unique_ptr<tls::TlsStream> releaseTls() noexcept { return std::move(tls_); }
  // The protocol the TLS handshake's ALPN chose, or empty (a plain connection, or none chosen).
  std::string_view negotiatedProtocol() const noexcept {
    return tls_ && tls_->established() ? tls_->negotiatedProtocol() : std::string_view{};
  }

 private:
  // False when the answer was deferred (nothing sent, the request not consumed).
  bool handle(const http::Request& request, std::time_t now);
  // `request` is nullptr when none could be read (failWith): the log line says "-".
  void respond(serve::Response& response, const http::Request* request, std::time_t now);
  bool queueFileBody(serve::Response& response);
  void logAnswer(const serve::Response& response, const http::Request* request, std::time_t now);
  bool skipBody();
  ReadResult readFromTls();
  FlushResult writeToTls();
  FlushResult sendFileThroughTls();
  FlushResult sendFileByKernelTls();
  void consume(std::size_t n) noexcept;
  void compactInput();

  SessionContext& ctx_;
  std::string peer_;
  int socket_ = -1;  // the socket of the last readFrom() (not owned), for its local address
  serve::Answerer answerer_;  // what to answer: this connection's view of the site
  std::vector<char> in_;
  std::size_t start_ = 0;      // first unparsed byte in in_
  std::size_t end_ = 0;        // one past the last received byte
  std::uint64_t discard_ = 0;  // request body bytes still to skip (Content-Length)
  // The decoder of a chunked request body being skipped, else nullptr (rare: allocated only
  // then, so an idle connection does not carry it).
  std::unique_ptr<http::ChunkedDecoder> chunked_;
  std::string out_;       // queued response bytes
  std::size_t sent_ = 0;  // bytes of out_ already written
  base::UniqueFd file_;   // body still to sendfile after out_ (or from file_cached_)
  std::shared_ptr<const fs::CachedFile> file_cached_;  // the cache's file being sent
  off_t file_offset_ = 0;
  std::size_t file_remaining_ = 0;
  unsigned requests_ = 0;
  bool close_after_ = false;
  bool client_said_last_ = false;  // the last answered request asked to close the connection
  bool draining_ = false;
  bool awaiting_answer_ = false;
  std::unique_ptr<tls::TlsStream> tls_;  // a TLS connection's stream, else nullptr
  bool plain_reply_ = false;             // the 400 to plain HTTP on a TLS port goes out unencrypted
  std::string chunk_;  // TLS: the part of the file body being encrypted (reused buffer)
  std::size_t chunk_sent_ = 0;
};

}  // namespace learnhttpd::protocol
