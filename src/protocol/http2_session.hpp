// SPDX-License-Identifier: MIT
#pragma once
// Http2Session: one HTTP/2 connection (RFC 9113) -- frames, HPACK, streams and flow control by
// libnghttp2 (the only file of ours that includes it), every request answered by the same
// serve::Answerer as HTTP/1.1 and written as HEADERS and DATA frames. Like Http1Session it has
// no event loop and no threads, and a model drives it the same way:
//   readFrom(fd)                 // one recv() (or the TLS stream's reads) into the input buffer
//   process(now)                 // frames in, answers queued (stops while much output is queued)
//   writeTo(fd) until Done       // frames out: memory by sendmsg, file bodies by sendfile
//   closeAfterOutput()? close : process() again, or wait for input.
// One session is used by one thread at a time (the connection's owner at that moment).
//
// Bodies: a DATA frame of a file is its 9-byte header followed, on a plain connection, by
// sendfile() from the file (nghttp2's no-copy path: the bytes never pass through user space);
// over TLS by pread() into the write buffer (SSL_sendfile where the kernel encrypts). Pages,
// compressed and generated bodies and the open-file cache's small files go from memory, held by
// reference until written.
//
// Limits and defences (each tested in tests/integration/test_http2_defences.py):
//  - SETTINGS_MAX_CONCURRENT_STREAMS (http2.max_concurrent_streams): more streams are refused;
//  - the decoded header list is at most max_header_bytes (431), :path at most 8 KiB (414)
//    (http/request_fields.hpp); at most max(8, max_header_bytes / 16 KiB + 1) CONTINUATION
//    frames per header block (CVE-2024-28182: more closes the connection);
//  - malformed requests (RFC 9113 sections 8.2-8.3) are stream errors, never answers;
//  - floods of control frames, rapid reset and MadeYouReset: Http2Guard (GOAWAY
//    ENHANCE_YOUR_CALM), with libnghttp2's own limits (incoming RST_STREAM rate, queued ACKs)
//    behind it;
//  - time: the worker's InputDeadline bounds a stalled preface or header block
//    (header_timeout), an answer the client's flow-control window holds back (send_timeout,
//    counted from the last byte of body that moved) and an idle connection
//    (keepalive_timeout, counted from the last request, not from the last frame), then
//    expire() says GOAWAY and closes;
//  - keepalive_requests streams, then GOAWAY: the client opens a new connection.

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <list>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "http/request_fields.hpp"
#include "protocol/http1_session.hpp"
#include "protocol/http2_guard.hpp"
#include "protocol/session_context.hpp"
#include "serve/answerer.hpp"
#include "serve/response.hpp"
#include "tls/tls_stream.hpp"

struct nghttp2_session;  // libnghttp2's; only http2_session.cpp includes it

namespace learnhttpd::protocol {

// The client connection preface (RFC 9113 section 3.4) that a connection with prior knowledge
// starts with.
inline constexpr std::string_view kHttp2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

class Http2Session {
 public:
  // A connection that speaks HTTP/2 from now on: over `tls` (established; ALPN chose "h2") or,
  // when it is nullptr, in clear. Queues the server's SETTINGS. `context` outlives the session.
  Http2Session(SessionContext& context, std::string peer, std::unique_ptr<tls::TlsStream> tls);
  ~Http2Session();
  Http2Session(const Http2Session&) = delete;
  Http2Session& operator=(const Http2Session&) = delete;

  // One recv() from the socket `fd` into the input buffer (TLS: decrypted bytes until the buffer
  // is full or the socket is empty), as Http1Session::readFrom.
  ReadResult readFrom(int fd);
  // The same without a socket (tests, fuzzing, and the preface the HTTP/1 side already read).
  std::span<char> inputSpace();
  void received(std::size_t n) noexcept;
  // Bytes another session read from the connection before it handed over (the preface).
  void takeInput(std::string_view bytes);
  void cacheSynced() noexcept { answerer_.cacheSynced(); }
  // Decrypted bytes wait inside the TLS stream (see Http1Session::inputPending).
  bool inputPending() const noexcept;

  // Feeds the buffered input to nghttp2 (answering each complete request as it comes) and
  // queues the frames to send, until the input is used up or enough output is queued. Never
  // blocks, never throws on client bytes.
  void process(std::time_t now);
  // Writes queued frames to the socket `fd`, queueing more as the room allows.
  FlushResult writeTo(int fd);

  bool hasOutput() const noexcept;
  // An answer waits for a credential check (basic auth's bcrypt runs off the loop): the
  // worker calls process() again when the checks wake it, as for Http1Session.
  bool awaitingAnswer() const noexcept { return !deferred_.empty(); }
  // Nothing more will be read or written: the session ended (GOAWAY sent and every stream
  // done, the client's GOAWAY, a connection error). Close once the output is written.
  bool closeAfterOutput() const noexcept;
  // After the last output the client may still be sending frames: linger (see
  // Http1Session::lingerBeforeClose).
  bool lingerBeforeClose() const noexcept { return !peer_closed_; }

  // For the worker's deadline (worker/input_deadline.hpp):
  // the client preface (its magic and first SETTINGS) or a header block is incomplete;
  bool midRequest() const noexcept { return !preface_done_ || header_block_open_; }
  // answers wait for the client's flow-control window and there is nothing else to send;
  bool stalled() const noexcept { return answering_ > 0 && !hasOutput(); }
  // body bytes queued so far (a stalled answer that moves is not stalled any more);
  std::uint64_t progress() const noexcept { return progress_; }
  // requests received (streams opened);
  unsigned requestsServed() const noexcept { return requests_; }
  // what a wait counts from besides a request: the shutdown notice (expire() while draining).
  unsigned waitMarks() const noexcept { return requests_ + (noticed_ ? 1U : 0U); }
  bool draining() const noexcept { return draining_; }

  // Graceful stop (QUIT, HUP, TTOU): the connection is asked to go away at its next pause (see
  // expire()); open streams finish, then the session ends.
  void drain();
  // The wait for the client ran out (worker/input_deadline.hpp). Idle, a stalled preface, header
  // block or answer: GOAWAY, then close. Draining: the first time, the shutdown notice and a
  // PING (the final GOAWAY follows the client's answer); the next time, GOAWAY and close.
  void expire();
  // Frees the buffers an idle connection does not need (call only when !hasOutput()).
  void releaseIdleBuffers() noexcept;

  const Http2Guard& guard() const noexcept { return guard_; }

 private:
  struct Stream;
  struct Segment;
  friend struct Http2Callbacks;

  // nghttp2's callbacks, as members.
  int beginFrame(std::uint8_t type, std::uint8_t flags, std::int32_t stream_id, std::size_t length);
  int beginHeaders(std::int32_t stream_id, bool request);
  int header(std::int32_t stream_id, std::string_view name, std::string_view value);
  int frameReceived(std::uint8_t type, std::uint8_t flags, std::int32_t stream_id,
                    std::size_t length, const std::uint8_t* ping);
  int frameSent(std::uint8_t type, std::uint8_t flags, std::int32_t stream_id,
                std::uint32_t error_code);
  int streamClosed(std::int32_t stream_id);
  ssize_t readBody(Stream& stream, std::size_t length, std::uint32_t* flags);
  int sendBody(Stream& stream, const std::uint8_t* frame_head, std::size_t length);
  bool queueBytes(const std::uint8_t* data, std::size_t length);

  void answer(Stream& stream);
  bool respond(Stream& stream, const http::Request& request);
  void answerDeferred();
  void submit(Stream& stream, serve::Response& response, const http::Request* request);
  void logAnswer(const serve::Response& response, const http::Request* request);
  void refuseStream(std::int32_t stream_id);
  void calm();
  void feed();
  void generate();
  void fail();
  FlushResult writePlain(int fd);
  FlushResult writeTls();
  bool fillTlsBuffer();
  void consumeSegments(std::size_t bytes);
  std::size_t queuedBytes() const noexcept { return queued_; }

  SessionContext& ctx_;
  std::string peer_;
  serve::Answerer answerer_;
  std::unique_ptr<tls::TlsStream> tls_;
  std::unique_ptr<nghttp2_session, void (*)(nghttp2_session*)> session_;
  Http2Guard guard_;
  std::list<Stream> streams_;       // the open streams nghttp2 told us of
  std::list<Stream> spare_;         // closed ones, kept for the next streams (no allocation)
  http::RequestFields fields_;      // the header block being decoded
  std::int32_t fields_stream_ = 0;  // its stream
  // Requests whose answer waits for a credential check: their fields, kept until it is known
  // (at most max_concurrent_streams of them: each is an open stream).
  struct Deferred {
    std::int32_t stream_id;
    std::unique_ptr<http::RequestFields> fields;
  };
  std::vector<Deferred> deferred_;
  std::time_t now_ = 0;

  std::vector<char> in_;  // received, not yet fed to nghttp2
  std::size_t in_start_ = 0;
  std::size_t in_end_ = 0;

  // Output: a queue of segments -- frame bytes in `arena_`, body bytes in memory held by
  // reference, or a range of a file -- written in order.
  std::string arena_;
  std::vector<Segment> segments_;
  std::size_t head_ = 0;           // first segment not completely written
  std::size_t head_done_ = 0;      // bytes of it already written
  std::size_t queued_ = 0;         // bytes queued and not written
  bool more_to_generate_ = false;  // generate() stopped at the high-water mark
  std::string tls_out_;            // TLS: bytes being encrypted (a retry offers the same)
  std::size_t tls_sent_ = 0;

  unsigned requests_ = 0;
  unsigned answering_ = 0;  // answers with body bytes still to queue
  std::uint64_t progress_ = 0;
  bool preface_done_ = false;
  bool header_block_open_ = false;
  bool draining_ = false;      // the worker is stopping: GOAWAY at the next pause (expire())
  bool noticed_ = false;       // the shutdown notice and its PING are queued
  bool goaway_final_ = false;  // the last GOAWAY is queued: no request after it is answered
  bool failed_ = false;        // a connection error: close once the GOAWAY (if any) is out
  bool peer_closed_ = false;
};

}  // namespace learnhttpd::protocol
