#pragma once
// The master process: binds the listening sockets, forks the workers, and supervises them
// from a single-threaded signal loop. It never serves a request.

#include <sys/types.h>

#include <chrono>
#include <vector>

#include "config/config.hpp"
#include "fs/document_root.hpp"
#include "master/listeners.hpp"
#include "master/signal_pipe.hpp"

namespace learnhttpd::master {

class Master {
 public:
  explicit Master(config::Config config);

  // Runs until TERM/INT/QUIT; returns the process exit code (0 on a requested stop, 1 when
  // start-up fails or workers cannot boot). Call once, from the main thread.
  int run();

 private:
  using Clock = std::chrono::steady_clock;
  struct WorkerProcess {
    pid_t pid = -1;
    unsigned slot = 0;
    Clock::time_point started;
  };

  bool start();
  void loop();
  void handleSignals();
  void reapChildren();
  void respawnMissing();
  pid_t spawn(unsigned slot);
  [[noreturn]] void runWorker(unsigned slot);
  void stopWorkers(int signal, std::chrono::milliseconds grace);

  config::Config config_;
  fs::DocumentRoot root_;
  Listeners listeners_;
  SignalPipe signals_;
  std::vector<WorkerProcess> workers_;
  std::vector<unsigned> vacant_slots_;
  unsigned crash_streak_ = 0;             // consecutive workers that died soon after start
  Clock::time_point next_respawn_{};      // back-off: no respawn before this
  bool stop_requested_ = false;
  bool graceful_ = false;
  int exit_code_ = 0;
};

}  // namespace learnhttpd::master
