// SPDX-License-Identifier: MIT
// The master's decisions without a master: crash back-off, boot failure, the heartbeat
// watchdog's ABRT-then-KILL, the retiring deadline, and which slots to fill.

#include "master/supervision_policy.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <csignal>
#include <vector>

namespace learnhttpd::master {
namespace {

using namespace std::chrono_literals;
using Clock = SupervisionClock;

constexpr int kBootFailure = 3;
const Clock::time_point t0 = Clock::time_point{} + 1000h;  // any fixed instant

int exitedWith(int code) {
  return (code & 0xff) << 8;
}  // as waitpid() reports it
int killedBy(int signal) {
  return signal & 0x7f;
}

SupervisionLimits limits() {
  SupervisionLimits l;
  l.worker_timeout = 10s;
  l.shutdown_timeout = 20s;
  return l;  // abort_grace 3 s, crash_window 2 s, back-off 200 ms doubling up to 30 s
}

WorkerState worker(unsigned slot, unsigned generation = 1, Clock::time_point started = t0) {
  WorkerState w;
  w.pid = static_cast<pid_t>(100 + slot);
  w.slot = slot;
  w.generation = generation;
  w.started = started;
  return w;
}

TEST(WaitStatusHelpers, MatchTheKernelsEncoding) {
  EXPECT_TRUE(WIFEXITED(exitedWith(3)));
  EXPECT_EQ(WEXITSTATUS(exitedWith(3)), 3);
  EXPECT_TRUE(WIFSIGNALED(killedBy(SIGSEGV)));
}

// ---- health ---------------------------------------------------------------------------------

TEST(Health, FreshHeartbeatNeedsNothing) {
  WorkerState w = worker(0);
  auto v = judgeHealth(w, t0 + 60s, /*heartbeat_ms=*/55'000, /*now_ms=*/60'000, limits());
  EXPECT_EQ(v.verb, HealthVerb::None);
}

TEST(Health, SilentPastWorkerTimeoutIsAborted) {
  WorkerState w = worker(0);
  EXPECT_EQ(judgeHealth(w, t0 + 60s, 50'000, 60'000, limits()).verb, HealthVerb::None);  // = 10 s
  auto v = judgeHealth(w, t0 + 60s, 49'999, 60'000, limits());
  EXPECT_EQ(v.verb, HealthVerb::Abort);
  EXPECT_EQ(v.silent_ms, 10'001);
}

TEST(Health, NoHeartbeatYetCountsFromStart) {
  WorkerState w = worker(0);
  EXPECT_EQ(judgeHealth(w, t0 + 10s, 0, 999'999, limits()).verb, HealthVerb::None);
  auto v = judgeHealth(w, t0 + 10s + 1ms, 0, 999'999, limits());
  EXPECT_EQ(v.verb, HealthVerb::Abort);
  EXPECT_EQ(v.silent_ms, 10'001);
}

TEST(Health, AbortThenKillAfterGraceThenNothingEver) {
  WorkerState w = worker(0);
  auto now = t0 + 30s;
  auto abort = judgeHealth(w, now, 1, 30'000, limits());
  ASSERT_EQ(abort.verb, HealthVerb::Abort);
  applyHealth(w, abort, now, limits());
  EXPECT_EQ(w.phase, Phase::Aborting);
  // Still silent, inside the grace: no second ABRT, no KILL yet.
  EXPECT_EQ(judgeHealth(w, now + 3s, 1, 33'000, limits()).verb, HealthVerb::None);
  auto kill = judgeHealth(w, now + 3s + 1ms, 1, 33'001, limits());
  ASSERT_EQ(kill.verb, HealthVerb::Kill);
  applyHealth(w, kill, now + 3s + 1ms, limits());
  EXPECT_EQ(w.phase, Phase::AbortKilled);
  // The old code parked a "killed" worker at now + 1 h and killed it again then; a phase
  // does not expire.
  for (auto later : {1h, 2h, 24h * 365}) {
    EXPECT_EQ(judgeHealth(w, now + later, 1, 1'000'000'000, limits()).verb, HealthVerb::None);
  }
}

TEST(Health, RetiringIsKilledAfterShutdownTimeoutOnceRegardlessOfHeartbeat) {
  WorkerState w = worker(0);
  ASSERT_TRUE(markRetiring(w, t0, limits()));
  EXPECT_EQ(w.phase, Phase::Retiring);
  EXPECT_FALSE(markRetiring(w, t0 + 1s, limits()));  // QUIT goes out once
  EXPECT_EQ(judgeHealth(w, t0 + 20s, 0, 999'999, limits()).verb, HealthVerb::None);
  auto kill = judgeHealth(w, t0 + 20s + 1ms, 0, 999'999, limits());
  ASSERT_EQ(kill.verb, HealthVerb::Kill);
  applyHealth(w, kill, t0 + 20s + 1ms, limits());
  EXPECT_EQ(w.phase, Phase::RetireKilled);
  EXPECT_EQ(judgeHealth(w, t0 + 2h, 0, 999'999, limits()).verb, HealthVerb::None);
  EXPECT_FALSE(markRetiring(w, t0 + 2h, limits()));
}

TEST(Health, AbortingWorkerRetiredByReloadFollowsTheShutdownClock) {
  WorkerState w = worker(0);
  applyHealth(w, {HealthVerb::Abort, 10'001}, t0, limits());
  ASSERT_TRUE(markRetiring(w, t0 + 1s, limits()));
  EXPECT_EQ(w.phase, Phase::Retiring);
  EXPECT_EQ(judgeHealth(w, t0 + 5s, 1, 99'999, limits()).verb, HealthVerb::None);
  EXPECT_EQ(judgeHealth(w, t0 + 21s + 1ms, 1, 99'999, limits()).verb, HealthVerb::Kill);
}

TEST(Health, KilledStuckWorkerRetiredByReloadIsNotKilledAgain) {
  WorkerState w = worker(0);
  w.phase = Phase::AbortKilled;
  ASSERT_TRUE(markRetiring(w, t0, limits()));
  EXPECT_EQ(w.phase, Phase::RetireKilled);
  EXPECT_EQ(judgeHealth(w, t0 + 1h, 1, 99'999'999, limits()).verb, HealthVerb::None);
}

// ---- exits ----------------------------------------------------------------------------------

TEST(Exit, RetiredOrStoppingIsExpected) {
  CrashBackoff backoff;
  WorkerState w = worker(0);
  EXPECT_EQ(
      judgeExit(w, killedBy(SIGSEGV), /*stopping=*/true, kBootFailure, t0 + 1ms, backoff, limits())
          .verb,
      ExitVerb::Expected);
  markRetiring(w, t0, limits());
  EXPECT_EQ(judgeExit(w, exitedWith(0), false, kBootFailure, t0 + 1ms, backoff, limits()).verb,
            ExitVerb::Expected);
  EXPECT_EQ(backoff.streak, 0u);
}

TEST(Exit, BootFailureStopsTheMaster) {
  CrashBackoff backoff;
  auto v = judgeExit(worker(0), exitedWith(kBootFailure), false, kBootFailure, t0 + 1ms, backoff,
                     limits());
  EXPECT_EQ(v.verb, ExitVerb::StopMaster);
  // The same code from a signal number, or another exit code, is an ordinary death.
  EXPECT_EQ(
      judgeExit(worker(0), killedBy(kBootFailure), false, kBootFailure, t0 + 1h, backoff, limits())
          .verb,
      ExitVerb::Respawn);
}

TEST(Exit, LateDeathRespawnsAtOnceAndResetsTheStreak) {
  CrashBackoff backoff{4, t0};
  auto v = judgeExit(worker(0), killedBy(SIGSEGV), false, kBootFailure, t0 + 2s, backoff, limits());
  EXPECT_EQ(v.verb, ExitVerb::Respawn);
  EXPECT_FALSE(v.crashed_at_start);
  EXPECT_EQ(v.delay, 0ms);
  EXPECT_EQ(backoff.streak, 0u);
}

TEST(Exit, CrashLoopBacksOffDoublingUpToTheCap) {
  CrashBackoff backoff;
  const std::vector<std::chrono::milliseconds> expected = {
      200ms, 400ms, 800ms, 1600ms, 3200ms, 6400ms, 12800ms, 25600ms, 30s, 30s, 30s};
  auto now = t0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    WorkerState w = worker(0, 1, now);
    now += 1999ms;  // just inside crash_window
    auto v = judgeExit(w, killedBy(SIGSEGV), false, kBootFailure, now, backoff, limits());
    ASSERT_EQ(v.verb, ExitVerb::Respawn);
    EXPECT_TRUE(v.crashed_at_start);
    EXPECT_EQ(v.delay, expected[i]) << "crash " << i + 1;
    EXPECT_EQ(backoff.streak, i + 1);
    EXPECT_EQ(backoff.next_respawn, now + expected[i]);
  }
}

TEST(Exit, StreakNeverOverflowsTheShift) {
  CrashBackoff backoff{1'000'000, {}};
  auto v = judgeExit(worker(0), exitedWith(1), false, kBootFailure, t0, backoff, limits());
  EXPECT_EQ(v.delay, 30s);
}

TEST(Exit, EachSlotCountsItsOwnCrashesAndWaitsItsOwnBackoff) {
  SlotBackoffs backoffs;
  auto crash = [&](unsigned slot, SupervisionClock::time_point at) {
    return judgeExit(worker(slot, 1, at - 1ms), killedBy(SIGSEGV), false, kBootFailure, at,
                     backoffs.of(slot), limits());
  };
  EXPECT_EQ(crash(0, t0).delay, 200ms);
  EXPECT_EQ(backoffs.of(0).streak, 1u);
  EXPECT_EQ(crash(1, t0 + 10ms).delay, 200ms);  // worker 1's first crash, not the second in a row
  EXPECT_EQ(backoffs.of(1).streak, 1u);
  EXPECT_EQ(crash(0, t0 + 300ms).delay, 400ms);
  EXPECT_EQ(backoffs.of(0).streak, 2u);
  EXPECT_EQ(backoffs.of(1).streak, 1u);
  // Slot 0 waits until t0 + 700 ms, slot 1 until t0 + 210 ms, slot 2 never crashed.
  EXPECT_FALSE(backoffs.due(0, t0 + 400ms));
  EXPECT_TRUE(backoffs.due(1, t0 + 400ms));
  EXPECT_TRUE(backoffs.due(2, t0 + 400ms));
  EXPECT_TRUE(backoffs.waiting(t0 + 400ms));
  EXPECT_TRUE(backoffs.due(0, t0 + 700ms));
  EXPECT_FALSE(backoffs.waiting(t0 + 700ms));
  backoffs.clear();  // a reload
  EXPECT_EQ(backoffs.of(0).streak, 0u);
}

// ---- reconciling ----------------------------------------------------------------------------

TEST(Reconcile, FillsFreeSlotsOfTheCurrentGenerationOnly) {
  std::vector<WorkerState> table = {worker(0, 2), worker(2, 2), worker(1, 1)};
  EXPECT_EQ(missingSlots(table, 2, 4), (std::vector<unsigned>{1, 3}));
  EXPECT_EQ(missingSlots(table, 2, 1), (std::vector<unsigned>{}));
  EXPECT_EQ(missingSlots(std::vector<WorkerState>{}, 1, 2), (std::vector<unsigned>{0, 1}));
}

TEST(Reconcile, RetiredFreesTheSlotButAStuckWorkerKeepsItUntilReaped) {
  std::vector<WorkerState> table = {worker(0), worker(1)};
  markRetiring(table[0], t0, limits());
  table[1].phase = Phase::AbortKilled;
  EXPECT_EQ(missingSlots(table, 1, 2), (std::vector<unsigned>{0}));
}

TEST(Reconcile, ShrinkRetiresOnlySlotsBeyondWanted) {
  WorkerState old_generation = worker(5, 1);
  WorkerState current = worker(2, 2);
  WorkerState kept = worker(1, 2);
  EXPECT_FALSE(beyondWanted(old_generation, 2, 2));
  EXPECT_TRUE(beyondWanted(current, 2, 2));
  EXPECT_FALSE(beyondWanted(kept, 2, 2));
  markRetiring(current, t0, limits());
  EXPECT_FALSE(beyondWanted(current, 2, 2));  // already on its way out
}

}  // namespace
}  // namespace learnhttpd::master
