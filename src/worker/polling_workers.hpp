// SPDX-License-Identifier: MIT
#pragma once
// The non-blocking models without epoll (docs/models.md), each one thread that owns every
// connection, like `event`, but waiting the way servers did before epoll:
//   BusyPollWorker  never waits at all: every turn tries accept4(), recv() and send() on every
//                   socket and takes EAGAIN for an answer. Correct, and 100% of a CPU even
//                   when idle (the start-up log and `-t` say so). It exists to be measured.
//   SelectWorker    one select() over every socket per turn: O(connections) per wake-up in
//                   the kernel and here. A descriptor >= FD_SETSIZE can never be passed to
//                   FD_SET (that writes past the fd_set); such a connection is answered 503,
//                   closed, logged and counted, and the worker keeps serving the others.
// Both drive Http1Session through PollingConnections with the same timeouts as `event`
// (InputDeadline, send_timeout per stall, lingering close) and ModelControl's signals.
// Threads: single-threaded; everything runs on the control thread.

#include <cstddef>
#include <list>
#include <string>

#include "base/unique_fd.hpp"
#include "protocol/http1_session.hpp"
#include "protocol/session_context.hpp"
#include "worker/input_deadline.hpp"
#include "worker/model_control.hpp"
#include "worker/worker.hpp"

namespace learnhttpd::worker {

// The connections of a single-threaded non-blocking loop and their state machine.
class PollingConnections {
 public:
  enum class State { Reading, Writing, Lingering };
  struct Connection {
    Connection(protocol::SessionContext& serve, base::UniqueFd socket, std::string peer)
        : fd(std::move(socket)), session(serve, std::move(peer)) {}
    base::UniqueFd fd;
    protocol::Http1Session session;
    InputDeadline input;
    State state = State::Reading;
    SteadyClock::time_point deadline{};
  };
  using List = std::list<Connection>;

  explicit PollingConnections(ModelControl& control) : control_(control) {}

  void add(base::UniqueFd fd);
  // Moves `conn` on as far as it goes without waiting: reads when `readable`, sends when
  // `writable`, applies its deadline. Returns the next connection (conn may be erased).
  List::iterator step(List::iterator conn, bool readable, bool writable);
  // QUIT: every idle connection gets the short last call.
  void drainIdle();
  // Accepts what is waiting on `listen_fd` (at most a burst, within max_connections).
  // select: `limit` is FD_SETSIZE; a socket at or above it is refused with a 503.
  void acceptFrom(int listen_fd, int limit);
  // The earliest deadline of any connection.
  SteadyClock::time_point nextDeadline() const;

  List& list() noexcept { return conns_; }
  std::size_t size() const noexcept { return conns_.size(); }
  bool full() const noexcept { return conns_.size() >= control_.config().max_connections; }

 private:
  List::iterator flush(List::iterator conn);
  void waitForInput(Connection& conn);
  void refuse(base::UniqueFd fd, int limit);

  ModelControl& control_;
  List conns_;
  std::size_t refused_ = 0;
};

class BusyPollWorker final : public Worker {
 public:
  explicit BusyPollWorker(const WorkerContext& context);
  int run() override;

 private:
  protocol::SessionContext serve_;
  ModelControl control_;
  PollingConnections conns_;
};

class SelectWorker final : public Worker {
 public:
  explicit SelectWorker(const WorkerContext& context);
  int run() override;

 private:
  void turn();

  protocol::SessionContext serve_;
  ModelControl control_;
  PollingConnections conns_;
};

}  // namespace learnhttpd::worker
