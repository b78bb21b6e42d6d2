// SPDX-License-Identifier: MIT
#pragma once
// InputDeadline: how long a connection may wait for its next bytes, the same rule in both
// models. Idle between requests: keepalive_timeout (header_timeout before the first request,
// a short last call once the worker is stopping). In the middle of a request head: what is left
// of header_timeout counted from that head's first byte; a new head (the previous request was
// answered meanwhile) starts a new count, so a client that pipelines steadily, and is always
// in the middle of some head when we wait, is never cut off. The body of an answered request
// gets header_timeout from the end of its head. A TLS handshake must finish within
// header_timeout of the connection's first wait, however its steps are spread. HTTP/2 has rules
// of its own (nextHttp2). Used by whichever thread owns the connection at the moment (one at a
// time).

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "config/config.hpp"
#include "protocol/http1_session.hpp"
#include "protocol/session.hpp"

namespace learnhttpd::worker {

// Graceful stop: how long an idle keep-alive connection may still send one last request.
inline constexpr std::chrono::milliseconds kDrainGrace{1000};

class InputDeadline {
 public:
  // The teaching models' connections (HTTP/1.1 only).
  std::chrono::milliseconds next(const protocol::Http1Session& session,
                                 const config::Config& config, bool stopping) {
    return nextHttp1(session, config, stopping);
  }
  // The production models' connections, HTTP/1.x or HTTP/2.
  std::chrono::milliseconds next(const protocol::Session& session, const config::Config& config,
                                 bool stopping) {
    if (const protocol::Http2Session* http2 = session.http2()) {
      return nextHttp2(*http2, config, stopping);
    }
    return nextHttp1(session, config, stopping);
  }

 private:
  using Clock = std::chrono::steady_clock;
  // What an HTTP/2 connection waits for (nextHttp2).
  enum class Http2Wait { None, Head, Window, Idle };

  template <typename Session>
  std::chrono::milliseconds nextHttp1(const Session& session, const config::Config& config,
                                      bool stopping) {
    std::chrono::milliseconds timeout = config.keepalive_timeout;
    if (session.handshaking()) {
      const Clock::time_point now = Clock::now();
      if (!handshake_counted_) header_started_ = now;
      handshake_counted_ = true;
      auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(now - header_started_);
      return std::max(std::chrono::milliseconds(1), config.header_timeout - spent);
    }
    bool mid = session.midRequest();
    if (mid) {
      // The whole head must arrive within header_timeout of its first byte, however slowly the
      // client trickles it (a between-reads timeout would let slowloris clients live forever).
      // The buffered bytes belong to a later head than last time if a request was answered
      // since; their count starts now, when we first see them.
      const Clock::time_point now = Clock::now();
      if (!waiting_mid_request_ || session.requestsServed() != requests_seen_) {
        header_started_ = now;
      }
      auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(now - header_started_);
      timeout = std::max(std::chrono::milliseconds(1), config.header_timeout - spent);
    } else if (session.requestsServed() == 0) {
      timeout = config.header_timeout;  // a new connection must send its first request soon
    }
    if (stopping && !mid) timeout = std::min(timeout, kDrainGrace);
    waiting_mid_request_ = mid;
    requests_seen_ = session.requestsServed();
    return timeout;
  }

  // HTTP/2 reads frames all the time (PING, WINDOW_UPDATE, SETTINGS), so no read restarts a
  // count; each counts from the event that began its wait:
  //  - the client preface or a header block under way: header_timeout from its first frame
  //    (a new header block -- a new stream -- starts a new count);
  //  - answers held back by the client's flow-control window (a client that stopped reading
  //    but keeps the connection busy): send_timeout from the last body byte that moved;
  //  - otherwise idle: keepalive_timeout from the last request. Once the worker is stopping:
  //    a short pause (kDrainGrace) after the last request, or after the shutdown notice that
  //    the first such pause sends (Http2Session::expire()).
  std::chrono::milliseconds nextHttp2(const protocol::Http2Session& session,
                                      const config::Config& config, bool stopping) {
    const Clock::time_point now = Clock::now();
    Http2Wait wait = Http2Wait::Idle;
    std::chrono::milliseconds limit = config.keepalive_timeout;
    bool restart = session.waitMarks() != requests_seen_;
    if (session.midRequest()) {
      wait = Http2Wait::Head;
      limit = config.header_timeout;
    } else if (session.stalled()) {
      wait = Http2Wait::Window;
      limit = config.send_timeout;
      restart = session.progress() != progress_seen_;
    }
    if (wait != http2_wait_ || restart) header_started_ = now;
    http2_wait_ = wait;
    requests_seen_ = session.waitMarks();
    progress_seen_ = session.progress();
    auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(now - header_started_);
    if (stopping && wait == Http2Wait::Idle) limit = std::min(limit, kDrainGrace);
    return std::max(std::chrono::milliseconds(1), limit - spent);
  }

  Clock::time_point header_started_;  // when the unfinished head (or HTTP/2's wait) began
  unsigned requests_seen_ = 0;  // requestsServed() when we last computed a deadline
  std::uint64_t progress_seen_ = 0;  // HTTP/2: progress() then
  Http2Wait http2_wait_ = Http2Wait::None;
  bool waiting_mid_request_ = false;
  bool handshake_counted_ = false;  // header_started_ is when the TLS handshake began
};

}  // namespace learnhttpd::worker
