// SPDX-License-Identifier: MIT
#pragma once
// Http2Guard: what one HTTP/2 connection may make the server do without asking for content, in
// counts rather than time, so that a flood costs a bounded number of frames whatever the
// client's speed (and a test can assert on counts). Pure; used by one Http2Session.
//
// Two budgets, each a fixed allowance plus what the connection earns by being useful:
//  - control frames (SETTINGS, PING, PRIORITY, WINDOW_UPDATE, an empty DATA frame that does not
//    end its stream, trailers): kControlAllowance, plus kControlPerRequest per request and one
//    per kDataPerControl bytes of body sent (clients acknowledge what they read with
//    WINDOW_UPDATE). Spent: the SETTINGS, PING, PRIORITY, empty-DATA and WINDOW_UPDATE floods
//    (CVE-2019-9512, -9515, -9516, -9518 and their kin) end after a few hundred frames.
//  - abandoned streams (closed before their answer was complete: reset by the client, or reset
//    by us because the client made the stream an error, or refused): twice the concurrent
//    stream limit, plus one per answer completed. Spent: "rapid reset" (CVE-2023-44487: open
//    and cancel in a loop) and "MadeYouReset" (CVE-2025-8671: provoke the server into resetting
//    streams it has already started to answer), each bounded at a small multiple of honest use.
// Either budget spent: the connection is closed with GOAWAY ENHANCE_YOUR_CALM.

#include <cstddef>
#include <cstdint>

namespace learnhttpd::protocol {

class Http2Guard {
 public:
  static constexpr std::uint64_t kControlAllowance = 512;
  static constexpr std::uint64_t kControlPerRequest = 4;
  static constexpr std::uint64_t kDataPerControl = 8192;

  explicit Http2Guard(unsigned max_concurrent_streams) noexcept
      : abandon_allowance_(2ULL * max_concurrent_streams) {}

  // One control frame received; false once the connection has spent its allowance.
  bool controlFrame() noexcept { return ++control_ <= controlAllowance(); }
  // A stream closed before its answer was complete; false once spent.
  bool abandonedStream() noexcept { return ++abandoned_ <= abandon_allowance_ + completed_; }

  void requestOpened() noexcept { ++requests_; }
  void answerCompleted() noexcept { ++completed_; }
  void bodySent(std::size_t bytes) noexcept { body_bytes_ += bytes; }

  std::uint64_t controlFrames() const noexcept { return control_; }
  std::uint64_t abandonedStreams() const noexcept { return abandoned_; }

 private:
  std::uint64_t controlAllowance() const noexcept {
    return kControlAllowance + kControlPerRequest * requests_ + body_bytes_ / kDataPerControl;
  }

  std::uint64_t abandon_allowance_;
  std::uint64_t control_ = 0;
  std::uint64_t abandoned_ = 0;
  std::uint64_t requests_ = 0;
  std::uint64_t completed_ = 0;
  std::uint64_t body_bytes_ = 0;
};

}  // namespace learnhttpd::protocol
