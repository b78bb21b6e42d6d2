// SPDX-License-Identifier: MIT
#pragma once
// The master's decisions, as pure functions: given the worker table, the time, the heartbeats
// and the exit statuses, say what to do (abort, kill, respawn after a back-off, stop, start
// which slots). No syscalls, no logging, no clock reads: Master gathers the inputs, carries out
// the verdicts and logs them, so each rule is unit-tested like the parser (tests/unit/master).
//
// A worker's phase is explicit; no time point doubles as a flag:
//   Serving ──silent past worker_timeout──> Aborting ──abort_grace──> AbortKilled
//      └──reload / TTOU (QUIT sent)──> Retiring ──shutdown_timeout──> RetireKilled
// Aborting may also be retired (a reload while it hangs): it then follows Retiring's clock.
// A *Killed phase only waits to be reaped; nothing fires again.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <vector>

namespace learnhttpd::master {

using SupervisionClock = std::chrono::steady_clock;

enum class Phase {
  Serving,       // expected to stamp its heartbeat
  Aborting,      // sent ABRT for a silent heartbeat; KILL at phase_end
  AbortKilled,   // sent KILL after ignoring ABRT; waits to be reaped, then is replaced
  Retiring,      // sent QUIT (reload, TTOU); KILL at phase_end (shutdown_timeout)
  RetireKilled,  // sent KILL past shutdown_timeout; waits to be reaped, not replaced
};

// Told to go (Retiring or RetireKilled): its exit is expected and its slot is free.
constexpr bool isRetired(Phase p) noexcept {
  return p == Phase::Retiring || p == Phase::RetireKilled;
}

struct WorkerState {
  pid_t pid = -1;
  unsigned slot = 0;  // 0..workers-1 within its generation
  unsigned generation = 0;
  SupervisionClock::time_point started{};
  Phase phase = Phase::Serving;
  SupervisionClock::time_point phase_end{};  // Aborting, Retiring: when KILL is due
};

struct SupervisionLimits {
  std::chrono::milliseconds worker_timeout{30000};    // heartbeat silence that means "stuck"
  std::chrono::milliseconds shutdown_timeout{30000};  // a retiring worker's time to finish
  std::chrono::milliseconds abort_grace{3000};        // after ABRT, before KILL
  std::chrono::milliseconds crash_window{2000};       // dying sooner than this = crashed at start
  std::chrono::milliseconds first_backoff{200};       // the first crash's respawn delay ...
  std::chrono::milliseconds max_backoff{30000};       // ... doubling per crash in a row up to this
};

// ---- health: once per tick, per worker ------------------------------------------------------

enum class HealthVerb { None, Abort, Kill };

struct HealthVerdict {
  HealthVerb verb = HealthVerb::None;
  std::int64_t silent_ms = 0;  // Abort: how long the heartbeat has been silent
};

// `heartbeat_ms` is the worker's last stamp (0: it has not served yet; then the silence counts
// from its start) and `now_ms` the same clock's present (worker::monotonicMs()).
HealthVerdict judgeHealth(const WorkerState& w, SupervisionClock::time_point now,
                          std::int64_t heartbeat_ms, std::int64_t now_ms,
                          const SupervisionLimits& limits) noexcept;

// The phase change that goes with a verdict the master has carried out.
void applyHealth(WorkerState& w, const HealthVerdict& verdict, SupervisionClock::time_point now,
                 const SupervisionLimits& limits) noexcept;

// QUIT sent (reload, TTOU). False, and no change, when it was already retired.
bool markRetiring(WorkerState& w, SupervisionClock::time_point now,
                  const SupervisionLimits& limits) noexcept;

// ---- exits: once per reaped worker ----------------------------------------------------------

// One worker slot's crash loop: a slot whose workers keep dying young is refilled ever more
// slowly; the other slots are not held back by it, and its count is its own ("worker 0
// crashed ... (3 in a row)" means worker 0's last three).
struct CrashBackoff {
  unsigned streak = 0;                          // this slot's crashes at start in a row
  SupervisionClock::time_point next_respawn{};  // no worker starts in this slot before this
};

// The back-off of each slot of the current generation (a reload starts them afresh).
class SlotBackoffs {
 public:
  CrashBackoff& of(unsigned slot) {
    if (slot >= slots_.size()) slots_.resize(slot + 1);
    return slots_[slot];
  }
  // The slot may be refilled at `now`.
  bool due(unsigned slot, SupervisionClock::time_point now) const noexcept {
    return slot >= slots_.size() || now >= slots_[slot].next_respawn;
  }
  // Some slot waits out a back-off at `now` (the master then wakes more often).
  bool waiting(SupervisionClock::time_point now) const noexcept {
    for (const CrashBackoff& b : slots_) {
      if (now < b.next_respawn) return true;
    }
    return false;
  }
  void clear() noexcept { slots_.clear(); }

 private:
  std::vector<CrashBackoff> slots_;
};

enum class ExitVerb {
  Expected,    // retired, or the master is stopping: nothing to do
  StopMaster,  // the worker could not boot at all: respawning cannot help; exit 1
  Respawn,     // unexpected: the slot is refilled (at backoff.next_respawn when crashed)
};

struct ExitVerdict {
  ExitVerb verb = ExitVerb::Expected;
  bool crashed_at_start = false;       // Respawn: died within crash_window
  std::chrono::milliseconds delay{0};  // Respawn: the back-off that now applies
};

// `wait_status` as waitpid() gave it; `boot_failure_code` the worker's "cannot start" exit
// code. Updates `backoff`, the back-off of the slot `gone` held.
ExitVerdict judgeExit(const WorkerState& gone, int wait_status, bool stopping,
                      int boot_failure_code, SupervisionClock::time_point now,
                      CrashBackoff& backoff, const SupervisionLimits& limits) noexcept;

// ---- reconciling the worker count -----------------------------------------------------------

// The slots of `generation` below `wanted` that no unretired worker holds, in order. A stuck
// worker keeps its slot until it is reaped. `workers`: a range of WorkerState (or of types
// derived from it, like the master's table).
template <typename Range>
std::vector<unsigned> missingSlots(const Range& workers, unsigned generation, unsigned wanted) {
  std::vector<unsigned> missing;
  for (unsigned slot = 0; slot < wanted; ++slot) {
    bool taken = false;
    for (const WorkerState& w : workers) {
      taken = taken || (!isRetired(w.phase) && w.generation == generation && w.slot == slot);
    }
    if (!taken) missing.push_back(slot);
  }
  return missing;
}

// TTOU: an unretired worker of the current generation whose slot is no longer wanted.
constexpr bool beyondWanted(const WorkerState& w, unsigned generation, unsigned wanted) noexcept {
  return !isRetired(w.phase) && w.generation == generation && w.slot >= wanted;
}

}  // namespace learnhttpd::master
