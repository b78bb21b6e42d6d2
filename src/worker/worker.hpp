// SPDX-License-Identifier: MIT
#pragma once
// The worker models: how a forked worker process waits and who runs a connection -- the
// production models (event, threadpool) and the teaching ones (docs/models.md), each one
// implementation of this Worker interface; the master only ever sees it and makeWorker(). What
// a connection says is protocol/'s business, what it is answered serve/'s.

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "config/config.hpp"
#include "serve/site_count.hpp"
#include "serve/site_files.hpp"
#include "tls/server_context.hpp"
#include "worker/worker_status.hpp"

namespace learnhttpd::worker {

// Exit codes of a worker process, read by the master.
inline constexpr int kExitOk = 0;
inline constexpr int kExitBootFailure = 3;  // cannot start at all: respawning will not help

struct WorkerContext {
  const config::Config& config;  // the generation's configuration
  // The worker process's inherited copies of the listening sockets. The worker closes them
  // on a graceful stop, so that once the master and every worker have, new connections are
  // refused rather than queued with nobody to accept them (WorkerLoop).
  const std::vector<int>& listen_fds;
  const serve::SiteFiles& site_files;  // every site's root, opened by the master; not owned
  unsigned slot = 0;               // 0..workers-1, for log lines
  WorkerStatus* status = nullptr;  // shared with the master: stamp heartbeat, count requests
  // The generation's TLS context (built by the master before fork; not owned), or nullptr
  // when no listener speaks TLS; `tls_fds` are those of `listen_fds` that do.
  const tls::ServerContext* tls = nullptr;
  std::vector<int> tls_fds;
  // One SiteCount per site of the generation, in memory shared with the master (the worker's
  // row: no other process adds to it), or empty.
  std::span<serve::SiteCount> site_counts = {};
};

// The counter of answered requests in the worker's slot of the status board, or nullptr.
inline std::atomic<std::uint64_t>* requestCounter(const WorkerContext& context) noexcept {
  return context.status != nullptr ? &context.status->requests : nullptr;
}

class Worker {
 public:
  virtual ~Worker() = default;
  // Serves until told to stop by a signal: TERM/INT (fast: close everything, exit) or QUIT
  // (graceful: stop accepting, finish in-flight responses, close idle keep-alive, exit).
  // Called in the worker process after fork, with signal dispositions reset to default and
  // every signal BLOCKED: run() unblocks them (in the thread that handles them) once its
  // handlers are installed, so a signal sent during start-up is delivered, not lost or fatal.
  // Returns the process exit code.
  virtual int run() = 0;
};

std::unique_ptr<Worker> makeWorker(const WorkerContext& context);

}  // namespace learnhttpd::worker
