// SPDX-License-Identifier: MIT
#pragma once
// The master's live status as a value, and its three renderings: JSON (GET /status), the
// Prometheus text exposition format (GET /metrics) and a table for people (GET
// /status?format=text, printed by `learnhttpd -s status`). Pure: no clock reads, no syscalls, no
// logging. Master fills a StatusSnapshot from its worker table and the shared status board;
// tests/unit/master checks what each rendering makes of it.

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "http/text_escape.hpp"

namespace learnhttpd::master {

// What the master decided, as counted by learnhttpd_master_decisions_total{decision=...}.
enum class Decision : std::uint8_t {
  Start,         // the first generation started
  Reload,        // HUP: a new generation started
  ReloadFailed,  // HUP: the new configuration was refused; the running generation stays
  Resize,        // TTIN / TTOU
  Retire,        // QUIT sent to a worker (reload, TTOU)
  Abort,         // ABRT sent to a worker whose heartbeat went silent
  Kill,          // KILL sent (ABRT ignored, or still busy past shutdown_timeout)
  Respawn,       // a worker exited unexpectedly; its slot is refilled (maybe after a back-off)
  BootFailure,   // a worker could not start at all; the master stops
  Lost,          // a worker of a generation being replaced exited unexpectedly: not refilled
};
inline constexpr std::size_t kDecisionKinds = 10;

// "reload_failed": the label value and JSON name of a decision.
std::string_view decisionName(Decision decision) noexcept;

struct DecisionRecord {
  std::int64_t unix_ms = 0;  // wall-clock time of the decision
  Decision decision = Decision::Start;
  std::string text;  // as logged, without the "master: " prefix
};

// The master's recent decisions (the last kKept, oldest first) and how many of each kind it
// has made since it started.
class DecisionLog {
 public:
  static constexpr std::size_t kKept = 32;

  void record(Decision decision, std::int64_t unix_ms, std::string text);
  const std::deque<DecisionRecord>& recent() const noexcept { return recent_; }
  std::uint64_t count(Decision decision) const noexcept {
    return counts_[static_cast<std::size_t>(decision)];
  }

 private:
  std::deque<DecisionRecord> recent_;
  std::array<std::uint64_t, kDecisionKinds> counts_{};
};

// One worker process, as the master sees it at the moment of the snapshot. A reload shows both
// generations: the old one's rows stay (state "retiring") until each process has exited.
struct WorkerRow {
  unsigned slot = 0;
  unsigned generation = 0;
  long pid = 0;
  std::string_view model;              // "event": a static string
  std::string_view state;              // "starting", "serving", "aborting", ...: static
  std::int64_t heartbeat_age_ms = -1;  // -1: no heartbeat yet
  std::int64_t uptime_ms = 0;
  std::uint64_t requests = 0;
  std::uint32_t connections = 0;    // counted by the models built on WorkerLoop
  std::uint32_t threads_busy = 0;   // pool models; 0 elsewhere
  std::uint32_t threads_total = 0;  // pool models; 0: the model has no thread pool
  unsigned restarts = 0;            // respawns of this slot in this generation
  // By protocol (event and threadpool models): connections that spoke HTTP/1.x and HTTP/2,
  // HTTP/2 connections open now, and HTTP/2 streams answered (also in `requests`).
  std::uint64_t http1_connections = 0;
  std::uint64_t http2_connections = 0;
  std::uint32_t http2_open = 0;
  std::uint64_t http2_streams = 0;

  // What HTTP/1.x has of `requests` and `connections`: the rest of them.
  std::uint64_t http1Requests() const noexcept {
    return requests > http2_streams ? requests - http2_streams : 0;
  }
  std::uint32_t http1Open() const noexcept {
    return connections > http2_open ? connections - http2_open : 0;
  }
};

// One site (config sites), by the name the status shows for it: its first name, or
// "(default)" for a default site without names. Counted since the master started, over every
// generation that served it.
struct SiteRow {
  std::string name;
  std::uint64_t requests = 0;  // requests answered for it
  std::uint64_t bytes = 0;     // body bytes of those answers (as the access log counts them)
};

struct StatusSnapshot {
  std::string_view version;
  long master_pid = 0;
  unsigned generation = 0;
  unsigned workers_wanted = 0;
  std::string_view model;  // the current generation's
  std::int64_t now_unix_ms = 0;
  std::int64_t start_unix_ms = 0;
  std::int64_t uptime_ms = 0;
  std::uint64_t requests_total = 0;        // every worker since the master started, gone ones too
  std::vector<WorkerRow> workers;          // by generation (newest first), then slot
  std::vector<SiteRow> sites;              // the current generation's sites first, in order
  const DecisionLog* decisions = nullptr;  // not owned; nullptr: none
};

std::string renderJson(const StatusSnapshot& status);
std::string renderPrometheus(const StatusSnapshot& status);
std::string renderTable(const StatusSnapshot& status);

// `text` as the inside of a JSON string (http/text_escape.hpp), so the document is valid
// whatever a log line carried (a reload error can quote a file's bytes).
using http::appendJsonString;

}  // namespace learnhttpd::master
