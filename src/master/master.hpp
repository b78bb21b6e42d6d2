// SPDX-License-Identifier: MIT
#pragma once
// The master process: binds the listening sockets, forks the workers, and supervises them
// from one single-threaded loop that wakes on signals (a signalfd), on a tick, and on the
// status listener's sockets. Each wake-up it handles the signals in a fixed order, reaps,
// stops stuck workers, reconciles the number of workers, reports to systemd, and then answers
// status requests (non-blocking, bounded: status_server.hpp). It never serves a file.

#include <poll.h>
#include <sys/types.h>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "master/listeners.hpp"
#include "master/signal_queue.hpp"
#include "master/site_board.hpp"
#include "master/status_board.hpp"
#include "master/status_report.hpp"
#include "master/status_server.hpp"
#include "master/supervision_policy.hpp"
#include "serve/site_files.hpp"
#include "sys/process.hpp"
#include "tls/server_context.hpp"
#include "tls/ticket_keys.hpp"

namespace learnhttpd::master {

struct MasterOptions {
  bool daemon = false;  // detach (double fork) after binding, before forking workers
  // Re-reads the configuration for a reload (HUP); throws config::ConfigError when invalid.
  std::function<config::Config()> reload_config;
  // The flags that make the configuration (config::configArgs), recorded beside the pid file
  // for -s (sys/start_record.hpp).
  std::vector<std::string> start_args;
  std::string version;  // shown by the status listener
  // What the preflight (preflight.hpp, run by main before the start) found worth a warning:
  // logged once the error log is set up.
  std::vector<std::string> warnings;
};

class Master {
 public:
  Master(config::Config config, MasterOptions options);

  // Runs until TERM/INT/QUIT; returns the process exit code (0 on a requested stop, 1 when
  // start-up fails or workers cannot boot). Call once, from the main thread.
  int run();

 private:
  using Clock = std::chrono::steady_clock;
  // One row of the worker table: the policy's view plus the shared status slot.
  struct WorkerProcess : WorkerState {
    worker::WorkerStatus* status = nullptr;
    config::WorkerModel model = config::WorkerModel::Event;  // its generation's
    unsigned restarts = 0;  // respawns of its slot in its generation before it
  };

  bool start();
  // The TLS context `config` needs (nullptr when no listener speaks TLS) into `out`; false
  // and `error` when its model cannot serve TLS or the pair cannot be used.
  bool loadTls(const config::Config& config, std::unique_ptr<tls::ServerContext>& out,
               std::string& error);
  void logListeners() const;
  void loop();
  void waitForEvents();
  void handleSignal(int signal);
  void reload();
  void resize(int delta);
  unsigned workersAfterReload(unsigned configured_before, unsigned configured_now) const;
  void reopenLogs();
  void reapChildren();
  void onWorkerExit(const WorkerProcess& gone, int status);
  void superviseHealth();
  void reconcile();
  bool spawn(unsigned slot);
  [[noreturn]] void runWorker(const WorkerProcess& self, pid_t master);
  void retire(WorkerProcess& w, const char* why);
  void retireReplaced();
  void stopWorkers(int signal, std::chrono::milliseconds grace);
  void reportToSystemd();
  std::chrono::milliseconds tick() const;
  SupervisionLimits limits() const;
  std::uint64_t requestsServed() const;
  struct PoolThreads {
    unsigned now = 0;
    unsigned max = 0;
  };
  PoolThreads poolThreads() const;
  StatusSnapshot snapshot() const;
  // The per-site counters of the generation about to start (map() before its first fork).
  bool mapSiteBoard(const config::Config& config, unsigned generation, std::string& error);
  // Folds the counters of generations without a worker left into site_totals_.
  void foldSiteBoards();
  std::vector<SiteRow> siteRows() const;
  // Records a decision for the status listener; returns its text, for the log line.
  const std::string& decide(Decision decision, std::string text);

  config::Config config_;
  MasterOptions options_;
  serve::SiteFiles site_files_;  // every site's root: the current generation's
  Listeners listeners_;
  tls::TicketKeys ticket_keys_;              // created at start, rotated on reload
  bool kernel_tls_ = false;                  // tls::kernelTls(), found once at start
  std::unique_ptr<tls::ServerContext> tls_;  // the current generation's, inherited by workers
  SignalQueue signals_;
  StatusBoard board_;
  StatusServer status_;
  DecisionLog decisions_;
  // Per-site counters: one board per generation that may still have workers (the current one
  // last), and the totals of the generations gone, by site name.
  struct SiteGeneration {
    unsigned generation = 0;
    std::vector<std::string> names;  // per site, as the status shows it
    SiteBoard board;
  };
  std::deque<SiteGeneration> site_boards_;
  std::vector<SiteRow> site_totals_;
  std::vector<pollfd> poll_fds_;         // rebuilt before each poll()
  std::vector<unsigned> slot_restarts_;  // respawns per slot of the current generation
  Clock::time_point started_at_ = Clock::now();
  std::int64_t start_unix_ms_ = 0;
  sys::PidFile pid_file_;
  std::vector<WorkerProcess> workers_;
  unsigned wanted_ = 1;  // workers the current generation should have
  unsigned generation_ = 1;
  unsigned serving_generation_ = 0;    // the newest generation that became ready
  SlotBackoffs backoff_;               // per slot: crashes in a row at start, next respawn
  Clock::time_point spawn_retry_{};    // after a failed fork, no worker starts before this
  std::uint64_t reaped_requests_ = 0;  // requests of workers already gone
  bool ready_pending_ = true;          // READY=1 not yet sent for this generation
  std::chrono::microseconds watchdog_{0};
  Clock::time_point last_watchdog_{};
  std::string last_status_;
  bool stop_requested_ = false;
  bool graceful_ = false;
  int exit_code_ = 0;
};

}  // namespace learnhttpd::master
