// SPDX-License-Identifier: MIT
#pragma once
// How the pools of serving threads of `threadpool` and `threads-queue` grow and shrink with
// `threads: MIN..MAX` (docs/models.md), in one place for both models.
//
// PoolSizer: the rules, as pure decisions over counts and times (no threads, no clock, no
// logging), so each is unit-tested. The models keep their counts under their own locks and ask
// while holding them:
//   grow    work waits that no idle thread will take, and fewer than MAX threads run;
//   retire  a thread that has been idle for the whole idle period (`thread_idle_timeout`)
//           leaves, as long as more than MIN threads remain.
// `threads: N` is a fixed pool (MIN = MAX = N): it neither grows nor shrinks.
//
// PoolCountLog: when to log the pool's size -- at once when it changes, but at most once per
// kInterval, so a busy pool that grows and shrinks all the time does not flood the log; a
// change within the interval is held and the latest count is logged when the interval ends.
//
// PoolReport: the model's side of the count -- the WorkerStatus slot (the master's systemd
// STATUS= line) and the rate-limited info line. One thread only: the thread that starts and
// joins the pool's threads (the loop thread of threadpool, the control thread of threads-queue).

#include <chrono>
#include <cstddef>
#include <optional>
#include <string_view>

#include "config/config.hpp"
#include "worker/worker_status.hpp"

namespace learnhttpd::worker {

class PoolSizer {
 public:
  using Clock = std::chrono::steady_clock;

  // MIN and MAX are taken as given, with MIN raised to 1 and MAX to MIN.
  PoolSizer(unsigned min, unsigned max, std::chrono::milliseconds idle_period) noexcept;
  // `threads`, `min_threads` (0: a fixed pool of `threads`) and `thread_idle_timeout`.
  static PoolSizer fromConfig(const config::Config& config) noexcept;

  unsigned min() const noexcept { return min_; }
  unsigned max() const noexcept { return max_; }
  std::chrono::milliseconds idlePeriod() const noexcept { return idle_period_; }
  bool fixed() const noexcept { return min_ == max_; }

  // `waiting_work` items wait that no running thread is about to take, `idle_threads` threads
  // wait for work (and may be woken for it), `threads` threads exist: true when one more
  // thread should start.
  bool shouldGrow(std::size_t waiting_work, std::size_t idle_threads,
                  unsigned threads) const noexcept;
  // Whether an idle thread may ever retire while `threads` exist: it waits with a deadline
  // (retireAt) only then, so a fixed pool or one at MIN has no periodic wake-ups.
  bool mayShrink(unsigned threads) const noexcept { return threads > min_; }
  // When a thread idle since `idle_since` has been idle long enough to retire.
  Clock::time_point retireAt(Clock::time_point idle_since) const noexcept;
  // A thread idle since `idle_since`, found with nothing to do at `now`, of `threads`: true
  // when it should exit (the caller then counts it out under the same lock).
  bool shouldRetire(Clock::time_point idle_since, Clock::time_point now,
                    unsigned threads) const noexcept;

 private:
  unsigned min_;
  unsigned max_;
  std::chrono::milliseconds idle_period_;
};

class PoolCountLog {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds kInterval{1000};

  // The pool has `threads` threads as of `now`: true when that is to be logged now (it then
  // counts as logged). The first call always logs.
  bool changed(unsigned threads, Clock::time_point now);
  // A held count whose interval has ended and that differs from the last one logged (it then
  // counts as logged), or nullopt.
  std::optional<unsigned> due(Clock::time_point now);
  // When due() will have a count to give; nullopt while nothing is held.
  std::optional<Clock::time_point> dueAt() const noexcept;
  // The count logged last (0 before the first).
  unsigned logged() const noexcept { return logged_; }

 private:
  std::optional<Clock::time_point> last_;  // when a count was last logged
  unsigned logged_ = 0;
  unsigned held_ = 0;
  bool holding_ = false;
};

class PoolReport {
 public:
  using Clock = std::chrono::steady_clock;

  // `model` names the model in the log line ("threadpool"); `status` may be nullptr.
  PoolReport(std::string_view model, unsigned slot, const PoolSizer& sizer,
             WorkerStatus* status) noexcept;

  // The pool now runs `threads` threads: stored in the status slot at once, logged at info
  // ("worker 0: threadpool pool grew: 3 thread(s) (1..8)") within PoolCountLog's limit.
  void update(unsigned threads, Clock::time_point now);
  // Logs a held count whose interval has ended. The owner calls it at dueAt().
  void flush(Clock::time_point now);
  std::optional<Clock::time_point> dueAt() const noexcept { return log_.dueAt(); }
  // A thread could not be started (`error` an errno value): logged, at most once per minute.
  void startFailed(int error, Clock::time_point now);

 private:
  void write(const char* why, unsigned threads) const;

  std::string_view model_;
  unsigned slot_;
  unsigned min_;
  unsigned max_;
  WorkerStatus* status_;
  PoolCountLog log_;
  std::optional<Clock::time_point> last_failure_;
  bool started_ = false;
};

}  // namespace learnhttpd::worker
