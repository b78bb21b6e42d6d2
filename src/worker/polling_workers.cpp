// SPDX-License-Identifier: MIT
#include "worker/polling_workers.hpp"

#include <sys/select.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <ctime>

#include <spdlog/spdlog.h>

#include "net/socket.hpp"

namespace learnhttpd::worker {
namespace {

constexpr int kAcceptBurst = 64;                        // as WorkerLoop's
constexpr std::chrono::milliseconds kLingerTime{2000};  // as WorkerLoop's

bool canSend(int fd) {
  pollfd pfd{fd, POLLOUT, 0};
  return ::poll(&pfd, 1, 0) != 0;
}

}  // namespace

// ---- PollingConnections ----------------------------------------------------------------------

void PollingConnections::acceptFrom(int listen_fd, int limit) {
  for (int i = 0; i < kAcceptBurst && !full(); ++i) {
    pollfd ready{listen_fd, POLLIN, POLLIN};
    base::UniqueFd fd = control_.acceptor().acceptReady(&ready, 1);
    if (!fd) return;
    if (fd.get() >= limit) {
      refuse(std::move(fd), limit);
      continue;
    }
    add(std::move(fd));
  }
}

// select() cannot watch this descriptor: answer 503 now (one non-blocking send of a small
// answer into an empty socket buffer), close, count. Never FD_SET it.
void PollingConnections::refuse(base::UniqueFd fd, int limit) {
  ++refused_;
  if (refused_ == 1 || refused_ % 100 == 0) {
    spdlog::warn(
        "worker {}: refused a connection: descriptor {} >= FD_SETSIZE {} ({} refused "
        "so far); select() cannot watch it",
        control_.slot(), fd.get(), limit, refused_);
  }
  protocol::Http1Session session(control_.serve(), control_.acceptor().peerOf(fd.get()));
  session.failWith(http::Status::ServiceUnavailable, std::time(nullptr));
  session.writeTo(fd.get());
  ::shutdown(fd.get(), SHUT_WR);
}

void PollingConnections::add(base::UniqueFd fd) {
  std::string peer = control_.acceptor().peerOf(fd.get());
  conns_.emplace_front(control_.serve(), std::move(fd), std::move(peer));
  waitForInput(conns_.front());
}

void PollingConnections::waitForInput(Connection& conn) {
  bool stopping = control_.quitting();
  if (stopping) conn.session.drain();
  conn.state = State::Reading;
  conn.deadline = SteadyClock::now() + conn.input.next(conn.session, control_.config(), stopping);
}

PollingConnections::List::iterator PollingConnections::step(List::iterator it, bool readable,
                                                            bool writable) {
  Connection& conn = *it;
  bool expired = SteadyClock::now() >= conn.deadline;
  switch (conn.state) {
    case State::Reading: {
      if (readable) {
        protocol::ReadResult r = conn.session.readFrom(conn.fd.get());
        if (protocol::receivedInput(r)) {
          if (control_.quitting()) conn.session.drain();
          conn.session.process(std::time(nullptr));
          return flush(it);
        }
        if (r != protocol::ReadResult::WouldBlock)
          return conns_.erase(it);  // closed by the client, or reset
      }
      if (!expired) return std::next(it);
      if (!conn.session.midRequest()) return conns_.erase(it);  // idle keep-alive expired
      conn.session.failWith(http::Status::RequestTimeout, std::time(nullptr));
      return flush(it);
    }
    case State::Writing:
      if (writable) return flush(it);
      return expired ? conns_.erase(it) : std::next(it);  // send_timeout: client stopped reading
    case State::Lingering: {
      char sink[4096];
      net::IoResult r{};
      while (readable && (r = net::receiveSome(conn.fd.get(), sink, sizeof sink)).error == 0 &&
             r.bytes > 0) {
      }
      bool done = readable && r.error != EAGAIN;  // the client closed (or reset)
      return done || expired ? conns_.erase(it) : std::next(it);
    }
  }
  return std::next(it);
}

PollingConnections::List::iterator PollingConnections::flush(List::iterator it) {
  Connection& conn = *it;
  for (;;) {
    protocol::FlushResult r = conn.session.writeTo(conn.fd.get());
    if (r == protocol::FlushResult::Error) return conns_.erase(it);
    if (r == protocol::FlushResult::WouldBlock) {
      conn.state = State::Writing;
      conn.deadline = SteadyClock::now() + control_.config().send_timeout;
      return std::next(it);
    }
    if (conn.session.closeAfterOutput()) {
      // As in the event model: linger when the client may still be sending, so that our close
      // does not reset the answer in flight.
      if (!conn.session.lingerBeforeClose()) return conns_.erase(it);
      ::shutdown(conn.fd.get(), SHUT_WR);
      conn.state = State::Lingering;
      conn.deadline = SteadyClock::now() + kLingerTime;
      return std::next(it);
    }
    conn.session.process(std::time(nullptr));
    if (!conn.session.hasOutput()) {
      waitForInput(conn);
      return std::next(it);
    }
  }
}

void PollingConnections::drainIdle() {
  for (auto& conn : conns_) {
    if (conn.state == State::Reading && !conn.session.midRequest()) waitForInput(conn);
  }
}

SteadyClock::time_point PollingConnections::nextDeadline() const {
  SteadyClock::time_point next = SteadyClock::time_point::max();
  for (const auto& conn : conns_) next = std::min(next, conn.deadline);
  return next;
}

// ---- busy-poll -------------------------------------------------------------------------------

BusyPollWorker::BusyPollWorker(const WorkerContext& context)
    : serve_(context.config, context.site_files, requestCounter(context), context.site_counts),
      control_(context, serve_),
      conns_(control_) {}

int BusyPollWorker::run() {
  if (!control_.open()) return kExitBootFailure;
  spdlog::warn("worker {}: busy-poll model: this worker never waits and burns 100% of a CPU",
               control_.slot());
  control_.start();
  bool drained = false;
  while (!control_.terminating()) {
    control_.service();  // signals and heartbeat: a read() and a clock read per turn
    if (control_.quitting()) {
      control_.closeListeners();
      if (!std::exchange(drained, true)) conns_.drainIdle();
      if (conns_.size() == 0) break;
    } else {
      for (int fd : control_.listenFds()) conns_.acceptFrom(fd, INT_MAX);
    }
    for (auto it = conns_.list().begin(); it != conns_.list().end();) {
      // No readiness to go by: just try. Only a stalled send asks first (a zero-timeout poll,
      // which never waits), so that send_timeout counts from the last progress.
      bool writable = it->state != PollingConnections::State::Writing || canSend(it->fd.get());
      it = conns_.step(it, true, writable);
    }
  }
  return kExitOk;
}

// ---- select ----------------------------------------------------------------------------------

SelectWorker::SelectWorker(const WorkerContext& context)
    : serve_(context.config, context.site_files, requestCounter(context), context.site_counts),
      control_(context, serve_),
      conns_(control_) {}

int SelectWorker::run() {
  if (!control_.open()) return kExitBootFailure;
  control_.start();
  bool drained = false;
  while (!control_.terminating()) {
    if (control_.quitting()) {
      control_.closeListeners();
      if (!std::exchange(drained, true)) conns_.drainIdle();
      if (conns_.size() == 0) break;
    }
    turn();
  }
  return kExitOk;
}

// One select() over the listening sockets (unless stopping or full), the signalfd and every
// connection (for reading or writing, by state); then every connection is stepped.
void SelectWorker::turn() {
  fd_set readable;
  fd_set writable;
  FD_ZERO(&readable);
  FD_ZERO(&writable);
  int top = control_.signalFd();
  FD_SET(control_.signalFd(), &readable);
  bool accepting = !control_.quitting() && !conns_.full();
  for (int fd : control_.listenFds()) {
    if (!accepting) break;
    FD_SET(fd, &readable);
    top = std::max(top, fd);
  }
  for (auto& conn : conns_.list()) {
    // Every connection's descriptor is below FD_SETSIZE: acceptFrom() refused the others.
    FD_SET(conn.fd.get(), conn.state == PollingConnections::State::Writing ? &writable : &readable);
    top = std::max(top, conn.fd.get());
  }
  auto now = SteadyClock::now();
  auto until = std::min(conns_.nextDeadline(), now + ModelControl::kSlice);
  auto wait = std::chrono::ceil<std::chrono::microseconds>(std::max(until - now, {}));
  timeval tv{static_cast<time_t>(wait.count() / 1'000'000),
             static_cast<suseconds_t>(wait.count() % 1'000'000)};
  int ready = ::select(top + 1, &readable, &writable, nullptr, &tv);
  if (ready < 0 && errno != EINTR) {
    spdlog::error("worker {}: select: {}", control_.slot(), std::strerror(errno));
  }
  control_.service();
  if (ready <= 0 && conns_.size() == 0) return;
  if (accepting && !control_.quitting() && ready > 0) {  // QUIT may have closed them
    for (int fd : control_.listenFds()) {
      if (FD_ISSET(fd, &readable)) conns_.acceptFrom(fd, FD_SETSIZE);
    }
  }
  for (auto it = conns_.list().begin(); it != conns_.list().end();) {
    int fd = it->fd.get();
    // Connections accepted in this turn were not in the sets: their bits are clear.
    bool r = ready > 0 && fd < FD_SETSIZE && FD_ISSET(fd, &readable);
    bool w = ready > 0 && fd < FD_SETSIZE && FD_ISSET(fd, &writable);
    it = conns_.step(it, r, w);
  }
}

}  // namespace learnhttpd::worker
