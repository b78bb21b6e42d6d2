#include "worker/event_worker.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <csignal>
#include <cstring>

#include <spdlog/spdlog.h>

#include "net/socket.hpp"

namespace learnhttpd::worker {
namespace {

constexpr int kAcceptBurst = 64;                       // accepts per wake-up, for fairness
constexpr std::chrono::milliseconds kLingerTime{2000};  // drain time after an error answer
constexpr std::chrono::milliseconds kHeartbeatInterval{500};
constexpr std::chrono::milliseconds kDrainGrace{1000};  // graceful stop: idle connections' last call

}  // namespace

struct EventWorker::Connection {
  Connection(EventWorker& w, net::UniqueFd socket, std::string peer)
      : worker(w), fd(std::move(socket)), session(w.serve_, std::move(peer)) {}

  EventWorker& worker;
  net::UniqueFd fd;
  HttpSession session;
  EventPtr read_event;
  EventPtr write_event;
  ConnectionList::iterator self;
  std::time_t header_started = 0;  // when the unfinished request head began to arrive
  bool waiting_mid_request = false;
};

EventWorker::EventWorker(const WorkerContext& context)
    : context_(context),
      config_(context.config),
      serve_(context.config, context.root, nullptr, context.status) {}

EventWorker::~EventWorker() {
  connections_.clear();  // before base_: connections own events of the base
}

int EventWorker::run() {
  std::string error;
  if (!config_.log.quiet) {
    access_log_ = log::AccessLog::open(config_.log.access_log, error);
    if (!error.empty()) {
      spdlog::critical("worker {}: cannot open access log {}", context_.slot, error);
      return kExitBootFailure;
    }
    serve_.access_log = access_log_.get();
  }
  base_.reset(event_base_new());
  if (!base_) {
    spdlog::critical("worker {}: cannot create an event loop", context_.slot);
    return kExitBootFailure;
  }
  spare_fd_.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  for (int fd : context_.listen_fds) {
    listen_events_.emplace_back(event_new(base_.get(), fd, EV_READ | EV_PERSIST, onAccept, this));
    event_add(listen_events_.back().get(), nullptr);
  }
  for (int sig : {SIGTERM, SIGINT, SIGQUIT, SIGUSR1}) {
    signal_events_.emplace_back(evsignal_new(base_.get(), sig, onSignal, this));
    event_add(signal_events_.back().get(), nullptr);
  }
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);  // handlers are in place (Worker::run contract)
  heartbeat_timer_.reset(event_new(base_.get(), -1, EV_PERSIST, onHeartbeat, this));
  timeval beat = toTimeval(kHeartbeatInterval);
  event_add(heartbeat_timer_.get(), &beat);
  stampHeartbeat();  // the first stamp tells the master this worker serves
  event_base_dispatch(base_.get());
  return kExitOk;
}

void EventWorker::onHeartbeat(evutil_socket_t, short, void* arg) {
  static_cast<EventWorker*>(arg)->stampHeartbeat();
}

// Stamped from the loop itself, so a loop stuck in a callback stops stamping and the master
// notices (worker_timeout).
void EventWorker::stampHeartbeat() {
  if (context_.status != nullptr) {
    context_.status->heartbeat_ms.store(monotonicMs(), std::memory_order_relaxed);
  }
}

std::time_t EventWorker::now() {
  timeval tv{};
  event_base_gettimeofday_cached(base_.get(), &tv);
  return tv.tv_sec;
}

void EventWorker::onAccept(evutil_socket_t fd, short, void* arg) {
  static_cast<EventWorker*>(arg)->acceptFrom(fd);
}

void EventWorker::acceptFrom(int listen_fd) {
  for (int i = 0; i < kAcceptBurst && !accepting_paused_; ++i) {
    int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      open(net::UniqueFd(fd));
      continue;
    }
    if (errno == EINTR || errno == ECONNABORTED) continue;
    if (errno == EMFILE || errno == ENFILE) {
      shedOneConnection(listen_fd);
      continue;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      spdlog::error("worker {}: accept4: {}", context_.slot, std::strerror(errno));
    }
    return;
  }
}

void EventWorker::shedOneConnection(int listen_fd) {
  // Out of descriptors: give up the spare one to accept the client and close it at once, so it
  // is told "no" instead of waiting in the backlog while the listen socket stays readable.
  spdlog::warn("worker {}: out of file descriptors, refusing a connection", context_.slot);
  spare_fd_.reset();
  net::UniqueFd(::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC));
  spare_fd_.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
}

void EventWorker::open(net::UniqueFd fd) {
  int one = 1;
  ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  std::string peer;
  if (serve_.access_log != nullptr) net::peerAddress(fd.get(), peer);  // quiet mode: no work
  connections_.emplace_front(*this, std::move(fd), std::move(peer));
  Connection& conn = connections_.front();
  conn.self = connections_.begin();
  int sock = conn.fd.get();
  conn.read_event.reset(event_new(base_.get(), sock, EV_READ | EV_PERSIST, onReadable, &conn));
  conn.write_event.reset(event_new(base_.get(), sock, EV_WRITE | EV_PERSIST, onWritable, &conn));
  if (connections_.size() >= config_.max_connections) pauseAccepting(true);
  waitForInput(conn);
}

void EventWorker::onReadable(evutil_socket_t, short what, void* arg) {
  auto& conn = *static_cast<Connection*>(arg);
  EventWorker& self = conn.worker;
  if (what & EV_TIMEOUT) {
    if (!conn.session.midRequest()) return self.close(conn);  // idle keep-alive expired
    conn.session.failWith(http::Status::RequestTimeout, self.now());
    return self.drive(conn);
  }
  std::span<char> space = conn.session.inputSpace();
  net::IoResult r = net::receiveSome(conn.fd.get(), space.data(), space.size());
  if (r.error == EAGAIN) return;
  if (r.error != 0 || r.bytes == 0) return self.close(conn);
  conn.session.received(r.bytes);
  conn.session.process(self.now());
  self.drive(conn);
}

void EventWorker::onWritable(evutil_socket_t, short what, void* arg) {
  auto& conn = *static_cast<Connection*>(arg);
  if (what & EV_TIMEOUT) return conn.worker.close(conn);  // send_timeout: client stopped reading
  conn.worker.drive(conn);
}

// Sends what the session has queued, then either waits for the socket to drain, closes, or
// goes on with pipelined requests / waits for the next one.
void EventWorker::drive(Connection& conn) {
  for (;;) {
    FlushResult flushed = conn.session.writeTo(conn.fd.get());
    if (flushed == FlushResult::Error) return close(conn);
    if (flushed == FlushResult::WouldBlock) {
      event_del(conn.read_event.get());  // no new requests while the answer backs up
      timeval tv = toTimeval(config_.send_timeout);
      event_add(conn.write_event.get(), &tv);
      return;
    }
    event_del(conn.write_event.get());
    if (conn.session.closeAfterOutput()) return finish(conn);
    if (stopping_ && !conn.session.midRequest()) return finish(conn);
    conn.session.process(now());
    if (!conn.session.hasOutput()) break;
  }
  waitForInput(conn);
}

void EventWorker::waitForInput(Connection& conn) {
  std::chrono::milliseconds timeout = config_.keepalive_timeout;
  if (conn.session.midRequest()) {
    // The whole head must arrive within header_timeout of its first byte, however slowly the
    // client trickles it (a between-reads timeout would let slowloris clients live forever).
    if (!conn.waiting_mid_request) conn.header_started = now();
    auto spent = std::chrono::seconds(now() - conn.header_started);
    timeout = std::max(std::chrono::milliseconds(1), config_.header_timeout - spent);
  } else if (conn.session.requestsServed() == 0) {
    timeout = config_.header_timeout;  // a new connection must send its first request soon
  }
  if (stopping_ && !conn.session.midRequest()) timeout = std::min(timeout, kDrainGrace);
  conn.waiting_mid_request = conn.session.midRequest();
  timeval tv = toTimeval(timeout);
  event_add(conn.read_event.get(), &tv);
}

// Closes after the last answer. When the client may still be sending (an error cut its request
// short, or it pipelined more than we answer), a plain close() would make the kernel send a
// reset that can destroy the answer in flight; so shut our side and drain theirs for a while.
void EventWorker::finish(Connection& conn) {
  if (!conn.session.midRequest() && !conn.session.closeAfterOutput()) return close(conn);
  ::shutdown(conn.fd.get(), SHUT_WR);
  event_del(conn.write_event.get());
  event_del(conn.read_event.get());
  event_assign(conn.read_event.get(), base_.get(), conn.fd.get(), EV_READ | EV_PERSIST, onLinger,
               &conn);
  timeval tv = toTimeval(kLingerTime);
  event_add(conn.read_event.get(), &tv);
}

void EventWorker::onLinger(evutil_socket_t fd, short what, void* arg) {
  auto& conn = *static_cast<Connection*>(arg);
  if (what & EV_TIMEOUT) return conn.worker.close(conn);
  char sink[4096];
  for (;;) {
    net::IoResult r = net::receiveSome(fd, sink, sizeof sink);
    if (r.error == EAGAIN) return;
    if (r.error != 0 || r.bytes == 0) return conn.worker.close(conn);
  }
}

void EventWorker::close(Connection& conn) {
  connections_.erase(conn.self);  // frees the events, then closes the socket
  if (accepting_paused_ && !stopping_ && connections_.size() < config_.max_connections) {
    pauseAccepting(false);
  }
  if (stopping_ && connections_.empty()) event_base_loopbreak(base_.get());
}

void EventWorker::pauseAccepting(bool paused) {
  accepting_paused_ = paused;
  for (auto& ev : listen_events_) {
    if (paused) {
      event_del(ev.get());
    } else {
      event_add(ev.get(), nullptr);
    }
  }
}

void EventWorker::onSignal(evutil_socket_t signal, short, void* arg) {
  auto& self = *static_cast<EventWorker*>(arg);
  switch (signal) {
    case SIGQUIT: return self.beginGracefulStop();
    case SIGUSR1: return self.reopenLogs();
    default:  // TERM, INT: fast stop, connections are closed by the destructor
      event_base_loopbreak(self.base_.get());
  }
}

void EventWorker::beginGracefulStop() {
  if (stopping_) return;
  spdlog::info("worker {}: graceful stop, {} connection(s) open", context_.slot,
               connections_.size());
  pauseAccepting(true);
  stopping_ = true;
  for (auto& ev : listen_events_) event_del(ev.get());
  shutdown_timer_.reset(evtimer_new(base_.get(), onShutdownTimer, this));
  timeval tv = toTimeval(config_.shutdown_timeout);
  evtimer_add(shutdown_timer_.get(), &tv);
  // Idle keep-alive connections are not cut at once: a busy client's next request may already
  // be on the wire, and closing under it fails that request. For a short grace each idle
  // connection may send one more request, answered with "Connection: close".
  for (auto& conn : connections_) {
    conn.session.drain();
    if (!conn.session.hasOutput()) waitForInput(conn);
  }
  if (connections_.empty()) event_base_loopbreak(base_.get());
}

void EventWorker::onShutdownTimer(evutil_socket_t, short, void* arg) {
  auto& self = *static_cast<EventWorker*>(arg);
  spdlog::warn("worker {}: shutdown_timeout reached, closing {} connection(s)", self.context_.slot,
               self.connections_.size());
  event_base_loopbreak(self.base_.get());
}

void EventWorker::reopenLogs() {
  std::string error;
  if (!log::reopenErrorLog(error)) spdlog::error("worker {}: {}", context_.slot, error);
  if (access_log_ && !access_log_->reopen(error)) {
    spdlog::error("worker {}: cannot reopen access log {}", context_.slot, error);
  }
}

std::unique_ptr<Worker> makeWorker(const WorkerContext& context) {
  return std::make_unique<EventWorker>(context);
}

}  // namespace learnhttpd::worker
