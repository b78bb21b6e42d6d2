// SPDX-License-Identifier: MIT
#include "master/supervision_policy.hpp"

#include <sys/wait.h>

#include <algorithm>

namespace learnhttpd::master {

HealthVerdict judgeHealth(const WorkerState& w, SupervisionClock::time_point now,
                          std::int64_t heartbeat_ms, std::int64_t now_ms,
                          const SupervisionLimits& limits) noexcept {
  switch (w.phase) {
    case Phase::Aborting:
    case Phase::Retiring:
      // ABRT's default action ends the process; one still there after the grace is past help.
      return {now > w.phase_end ? HealthVerb::Kill : HealthVerb::None, 0};
    case Phase::AbortKilled:
    case Phase::RetireKilled:
      return {};
    case Phase::Serving:
      break;
  }
  const std::int64_t silent =
      heartbeat_ms == 0
          ? std::chrono::duration_cast<std::chrono::milliseconds>(now - w.started).count()
          : now_ms - heartbeat_ms;
  if (silent > limits.worker_timeout.count()) return {HealthVerb::Abort, silent};
  return {};
}

void applyHealth(WorkerState& w, const HealthVerdict& verdict, SupervisionClock::time_point now,
                 const SupervisionLimits& limits) noexcept {
  if (verdict.verb == HealthVerb::Abort && w.phase == Phase::Serving) {
    w.phase = Phase::Aborting;
    w.phase_end = now + limits.abort_grace;
  } else if (verdict.verb == HealthVerb::Kill) {
    if (w.phase == Phase::Aborting) w.phase = Phase::AbortKilled;
    if (w.phase == Phase::Retiring) w.phase = Phase::RetireKilled;
  }
}

bool markRetiring(WorkerState& w, SupervisionClock::time_point now,
                  const SupervisionLimits& limits) noexcept {
  if (isRetired(w.phase)) return false;
  if (w.phase == Phase::AbortKilled) {
    w.phase = Phase::RetireKilled;  // KILL is already on its way; only its exit is now expected
  } else {
    w.phase = Phase::Retiring;
    w.phase_end = now + limits.shutdown_timeout;
  }
  return true;
}

ExitVerdict judgeExit(const WorkerState& gone, int wait_status, bool stopping,
                      int boot_failure_code, SupervisionClock::time_point now,
                      CrashBackoff& backoff, const SupervisionLimits& limits) noexcept {
  if (isRetired(gone.phase) || stopping) return {};
  if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == boot_failure_code) {
    return {ExitVerb::StopMaster, false, {}};
  }
  if (now - gone.started >= limits.crash_window) {
    backoff.streak = 0;
    return {ExitVerb::Respawn, false, {}};
  }
  ++backoff.streak;
  // first_backoff, doubled per crash in a row; the shift is bounded long before the cap.
  const unsigned doublings = std::min(backoff.streak - 1, 16u);
  const std::chrono::milliseconds delay =
      std::min(limits.max_backoff, limits.first_backoff * (std::int64_t{1} << doublings));
  backoff.next_respawn = now + delay;
  return {ExitVerb::Respawn, true, delay};
}

}  // namespace learnhttpd::master
