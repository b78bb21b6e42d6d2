// SPDX-License-Identifier: MIT
#pragma once
// WorkerStatus: one worker's liveness and counters, in memory shared between the master and
// the worker (mapped MAP_SHARED before fork). The worker writes, the master reads (for
// supervision, sd_notify STATUS= and the status listener); lock-free atomics work across
// processes on the platforms we build for. Every field is written with relaxed stores or
// increments where the worker already does the work it counts: the master only needs a value
// that was true a moment ago, never an ordering between fields.

#include <atomic>
#include <cstdint>
#include <ctime>

namespace learnhttpd::worker {

struct alignas(64) WorkerStatus {
  // CLOCK_MONOTONIC milliseconds of the worker loop's last tick; 0 until it first serves.
  std::atomic<std::int64_t> heartbeat_ms{0};
  // Requests answered by this worker process.
  std::atomic<std::uint64_t> requests{0};
  // Serving threads of a pool model now (threadpool and threads-queue grow and shrink it with
  // `threads: MIN..MAX`); 0: not a pool model.
  std::atomic<std::uint32_t> threads{0};
  // Of those, the threads serving a connection right now (threadpool; 0 in the other models).
  std::atomic<std::uint32_t> threads_busy{0};
  // The most `threads` may grow to (MAX); 0: not a pool model.
  std::atomic<std::uint32_t> threads_max{0};
  // Connections open, counted against max_connections (the models built on WorkerLoop: event,
  // threadpool); stored by the loop thread when the count changes, never read by the worker.
  std::atomic<std::uint32_t> connections{0};
  // Of those, the ones that speak HTTP/2 now (event, threadpool).
  std::atomic<std::uint32_t> http2_open{0};
  // Connections by the protocol they spoke (known at the TLS handshake's end, or from the first
  // bytes of a plain one), and HTTP/2's streams (each also counted in `requests`).
  std::atomic<std::uint64_t> http1_connections{0};
  std::atomic<std::uint64_t> http2_connections{0};
  std::atomic<std::uint64_t> http2_streams{0};
};

static_assert(std::atomic<std::int64_t>::is_always_lock_free);
static_assert(std::atomic<std::uint64_t>::is_always_lock_free);
static_assert(std::atomic<std::uint32_t>::is_always_lock_free);

// CLOCK_MONOTONIC in milliseconds, the heartbeat's unit.
inline std::int64_t monotonicMs() noexcept {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

}  // namespace learnhttpd::worker
