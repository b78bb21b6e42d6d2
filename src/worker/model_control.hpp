// SPDX-License-Identifier: MIT
#pragma once
// ModelControl: what the teaching models share instead of WorkerLoop (they have no libevent
// loop): the access log, signals, the heartbeat, the shutdown timeout and the one wait
// primitive every blocking thread uses, so that every model obeys QUIT/TERM/USR1 the same way.
//
// Signals. No handlers at all: TERM, INT, QUIT and USR1 (and CHLD for a model that forks) stay
// blocked in every thread of the worker and are read synchronously from a signalfd by the
// CONTROL THREAD, the one that called open() (Worker::run's thread), in service(). No system
// call is ever interrupted, nothing runs in signal context, and no other thread can consume a
// signal. Threads started after open() inherit the mask. ABRT and the other signals stay at
// their default action (the master's watchdog may ABRT a stuck worker for a core dump).
//
// Stopping. service() turns QUIT into quitting() and TERM/INT -- or shutdown_timeout after QUIT
// -- into terminating(). Each also makes an eventfd readable for good, so every thread blocked
// in wait() wakes at once, in any model: the quit fd wakes the waits marked idle (for a new
// connection or a keep-alive client's next request), the term fd wakes every wait.
//
// Heartbeat. service() stamps it. On the control thread wait() never sleeps longer than kSlice
// without calling service(), so a control thread blocked "in accept" or in a client's recv still
// stamps; one stuck anywhere else stops stamping and the master replaces the worker.
//
// Threads: open(), start(), service(), closeListeners() and resetInChild() on the control
// thread only; wait(), quitting(), terminating() and the accessors from any thread.

#include <poll.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/unique_fd.hpp"
#include "protocol/session_context.hpp"
#include "worker/acceptor.hpp"
#include "worker/worker.hpp"
#include "worker/worker_logs.hpp"

namespace learnhttpd::worker {

using SteadyClock = std::chrono::steady_clock;

enum class Wake {
  Ready,    // one of the caller's descriptors has its events (see revents)
  Timeout,  // the deadline passed
  Quit,     // an idle wait, and a graceful stop has begun: re-decide (drain, short last call)
  Stop,     // a fast stop: drop the connection and return
};

class ModelControl {
 public:
  // The control thread's longest sleep between two heartbeats / signal checks.
  static constexpr std::chrono::milliseconds kSlice{250};

  ModelControl(const WorkerContext& context, protocol::SessionContext& serve);
  ~ModelControl();
  ModelControl(const ModelControl&) = delete;
  ModelControl& operator=(const ModelControl&) = delete;

  // Opens the access log (handing it to `serve`), the signalfd and the stop eventfds. With
  // `watch_children`, SIGCHLD is read too (childExited()). Logs one line and returns false on
  // failure (the worker exits kExitBootFailure). `own_listeners`: only the control thread ever
  // polls or accepts on the listening sockets, so QUIT closes them at once (closeListeners()).
  bool open(bool watch_children = false, bool own_listeners = true);
  // Stamps the first heartbeat: from now on the master counts this worker as serving.
  void start();

  // Waits until one of `fds` has its events, `deadline` passes, or the worker stops. `idle`:
  // the caller waits for a new connection or request and wants Wake::Quit when a graceful stop
  // begins; pass `stopping_seen` = the quitting() the caller based its deadline on, so that a
  // stop that began in between is not missed. On the control thread it also services signals
  // and the heartbeat (sliced sleeps). Any thread.
  Wake wait(std::span<pollfd> fds, SteadyClock::time_point deadline, bool idle,
            bool stopping_seen = false);
  Wake waitFor(int fd, short events, SteadyClock::time_point deadline, bool idle,
               bool stopping_seen = false);

  // Control thread: reads pending signals, stamps the heartbeat, enforces shutdown_timeout.
  // A model that never waits (busy-poll) calls it on every turn; the others get it from wait().
  void service();

  bool quitting() const noexcept { return quitting_.load(); }
  bool terminating() const noexcept { return terminating_.load(); }
  // SIGCHLD arrived since the last call (process-per-connection reaps then). Control thread.
  bool childExited() noexcept;
  // USR1 arrived (and this process reopened its logs) since the last call: process-per-
  // connection passes it on to its children. Control thread.
  bool logsReopened() noexcept;
  // Closes this process's copies of the listening sockets (once). Control thread; no other
  // thread may be polling or accepting on them any more.
  void closeListeners();
  // The graceful or fast stop, as if the signal had come (a child told to stop by its parent
  // uses the real signals; this is for the shutdown timer and tests of the models).
  void beginQuit();
  void beginTerminate();
  // A forked child (process-per-connection) takes over as a control thread of its own: fresh
  // stop eventfds, no heartbeat (the parent stamps the worker's), same signals.
  bool resetInChild();

  // The signalfd, for a model that waits in select() itself and then calls service().
  int signalFd() const noexcept { return signal_fd_.get(); }
  const std::vector<int>& listenFds() const noexcept { return context_.listen_fds; }
  // The listening sockets as a poll set (POLLIN).
  std::vector<pollfd> listenSet() const;
  // How the model's threads accept (any thread; made by open()).
  Acceptor& acceptor() noexcept { return *acceptor_; }
  const config::Config& config() const noexcept { return context_.config; }
  protocol::SessionContext& serve() noexcept { return serve_; }
  unsigned slot() const noexcept { return context_.slot; }
  // The worker's slot of the status board (shared with the master), or nullptr.
  WorkerStatus* status() const noexcept { return context_.status; }
  bool listenersClosed() const noexcept { return listeners_closed_; }

 private:
  bool openStopFds();
  void handleSignal(int signal);
  bool onControlThread() const noexcept;

  WorkerContext context_;
  protocol::SessionContext& serve_;
  WorkerLogs logs_;
  std::optional<Acceptor> acceptor_;
  base::UniqueFd signal_fd_;
  base::UniqueFd quit_fd_;  // eventfd: readable once a graceful stop began
  base::UniqueFd term_fd_;  // eventfd: readable once a fast stop began
  std::atomic<bool> quitting_{false};
  std::atomic<bool> terminating_{false};
  SteadyClock::time_point quit_deadline_{};
  pthread_t control_thread_{};
  WorkerStatus* heartbeat_ = nullptr;  // nullptr in a forked child
  bool child_exited_ = false;
  bool logs_reopened_ = false;
  bool listeners_closed_ = false;
  bool own_listeners_ = true;
};

}  // namespace learnhttpd::worker
