// SPDX-License-Identifier: MIT
#pragma once
// InputDeadline: how long a connection may wait for its next bytes, the same rule in both
// models. Idle between requests: keepalive_timeout (header_timeout before the first request,
// a short last call once the worker is stopping). In the middle of a request head: what is left
// of header_timeout counted from that head's first byte; a new head (the previous request was
// answered meanwhile) starts a new count, so a client that pipelines steadily, and is always
// in the middle of some head when we wait, is never cut off. The body of an answered request
// gets header_timeout from the end of its head. A TLS handshake must finish within
// header_timeout of the connection's first wait, however its steps are spread. Used by whichever
// thread owns the connection at the moment (one at a time).

#include <algorithm>
#include <chrono>

#include "config/config.hpp"
#include "protocol/http1_session.hpp"

namespace learnhttpd::worker {

// Graceful stop: how long an idle keep-alive connection may still send one last request.
inline constexpr std::chrono::milliseconds kDrainGrace{1000};

class InputDeadline {
 public:
  // Monotonic milliseconds, not the loop's cached wall-clock seconds: a budget counted in whole
  // seconds could shrink a 1 s header_timeout to almost nothing.
  std::chrono::milliseconds next(const protocol::Http1Session& session,
                                 const config::Config& config, bool stopping) {
    using Clock = std::chrono::steady_clock;
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

 private:
  std::chrono::steady_clock::time_point header_started_;  // when the unfinished head began
  unsigned requests_seen_ = 0;  // requestsServed() when we last computed a deadline
  bool waiting_mid_request_ = false;
  bool handshake_counted_ = false;  // header_started_ is when the TLS handshake began
};

}  // namespace learnhttpd::worker
