// SPDX-License-Identifier: MIT
#include "worker/worker_loop.hpp"

#include <fcntl.h>
#include <malloc.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <string>

#include <spdlog/spdlog.h>

#include "net/socket.hpp"

namespace learnhttpd::worker {
namespace {

constexpr int kAcceptBurst = 64;                        // accepts per wake-up, for fairness
constexpr std::chrono::milliseconds kLingerTime{2000};  // drain time after an error answer
constexpr std::chrono::milliseconds kHeartbeatInterval{500};
// The heap above this much free memory at its top is given back to the kernel at once; below
// it, only when the worker falls quiet (trimHeapWhenQuiet). glibc's default, 128 KiB, is less
// than the buffers of a hundred keep-alive clients between two requests, so under load it
// shrank and regrew the heap all the time: a page fault per request and a brk every ten.
constexpr int kTrimThreshold = 64 * 1024 * 1024;

}  // namespace

struct WorkerLoop::Lingering {
  WorkerLoop* loop = nullptr;
  base::UniqueFd fd;
  EventPtr event;
  std::list<Lingering>::iterator self;
};

WorkerLoop::WorkerLoop(const WorkerContext& context, protocol::SessionContext& serve, Model& model)
    : context_(context), serve_(serve), model_(model) {}

WorkerLoop::~WorkerLoop() {
  lingering_.clear();  // before base_: they own events of the base
  exclusive_.disable();
  listen_events_.clear();
  signal_events_.clear();
  shutdown_timer_.reset();
  heartbeat_timer_.reset();
}

bool WorkerLoop::open(int required_features) {
  if (!logs_.open(context_.config, context_.slot)) return false;
  serve_.access_log = logs_.access();
  if (WorkerStatus* status = context_.status; status != nullptr) {
    serve_.counters = {&status->http1_connections, &status->http2_connections,
                       &status->http2_streams, &status->http2_open};
  }
  // The client's address: for the access log, and for basic auth's bound on wrong passwords.
  acceptor_.emplace(context_.slot, logs_.access() != nullptr || serve_.sites.hasAuth());
  // "ssl" on port 0 (any free port): Location must name the port the master got.
  if (!context_.tls_fds.empty())
    serve_.sites.useHttpsPort(net::boundPort(context_.tls_fds.front()));
  std::unique_ptr<event_config, void (*)(event_config*)> cfg(event_config_new(), event_config_free);
  if (cfg) event_config_require_features(cfg.get(), required_features);
  base_.reset(cfg ? event_base_new_with_config(cfg.get()) : nullptr);
  if (!base_) {
    spdlog::critical("worker {}: cannot create an event loop", context_.slot);
    return false;
  }
  ::mallopt(M_TRIM_THRESHOLD, kTrimThreshold);
  std::string error;
  if (!exclusive_.enable(base_.get(), context_.listen_fds, onAccept, this, error)) {
    if (!error.empty()) {
      spdlog::info(
          "worker {}: listening without EPOLLEXCLUSIVE ({}): every idle worker wakes "
          "for each new connection",
          context_.slot, error);
    }
    for (int fd : context_.listen_fds) {
      listen_events_.emplace_back(event_new(base_.get(), fd, EV_READ | EV_PERSIST, onAccept, this));
    }
  }
  updateListening();
  for (int sig : {SIGTERM, SIGINT, SIGQUIT, SIGUSR1}) {
    signal_events_.emplace_back(evsignal_new(base_.get(), sig, onSignal, this));
    event_add(signal_events_.back().get(), nullptr);
  }
  heartbeat_timer_.reset(event_new(base_.get(), -1, EV_PERSIST, onHeartbeat, this));
  timeval beat = toTimeval(kHeartbeatInterval);
  event_add(heartbeat_timer_.get(), &beat);
  return true;
}

void WorkerLoop::run() {
  sigset_t none;
  sigemptyset(&none);
  ::pthread_sigmask(SIG_SETMASK, &none, nullptr);  // handlers are in place (Worker::run contract)
  stampHeartbeat();  // the first stamp tells the master this worker serves
  // event_base_dispatch, one batch at a time, so the model hears where a batch ends.
  while (!event_base_got_break(base_.get()) && !event_base_got_exit(base_.get())) {
    if (event_base_loop(base_.get(), EVLOOP_ONCE) != 0)
      break;                                       // error, or nothing left to wait for
    if (event_base_got_break(base_.get())) break;  // stopped: the connections are going away
    model_.endOfBatch();
  }
}

void WorkerLoop::onHeartbeat(evutil_socket_t, short, void* arg) {
  auto& self = *static_cast<WorkerLoop*>(arg);
  self.stampHeartbeat();
  self.trimHeapWhenQuiet();
}

// The buffers a busy worker freed stay in its heap (kTrimThreshold) while requests keep coming;
// a heartbeat interval without a request gives them back, so idle connections cost what
// docs/performance.md says, not what the last burst left behind.
void WorkerLoop::trimHeapWhenQuiet() {
  if (context_.status == nullptr) return;
  std::uint64_t requests = context_.status->requests.load(std::memory_order_relaxed);
  if (requests != requests_at_last_beat_) {
    requests_at_last_beat_ = requests;
    heap_used_since_trim_ = true;
  } else if (heap_used_since_trim_) {
    ::malloc_trim(0);
    heap_used_since_trim_ = false;
  }
}

// Stamped from the loop itself, so a loop stuck in a callback stops stamping and the master
// notices (worker_timeout).
void WorkerLoop::stampHeartbeat() {
  if (context_.status != nullptr) {
    context_.status->heartbeat_ms.store(monotonicMs(), std::memory_order_relaxed);
  }
}

// A plain store by the only writer: no locked instruction on the accept and close paths.
void WorkerLoop::publishConnections() {
  if (context_.status != nullptr) {
    context_.status->connections.store(static_cast<std::uint32_t>(open_),
                                       std::memory_order_relaxed);
  }
}

std::time_t WorkerLoop::now() {
  timeval tv{};
  event_base_gettimeofday_cached(base_.get(), &tv);
  return tv.tv_sec;
}

// `fd` is the listening socket, or with EPOLLEXCLUSIVE the marker that stands for it.
void WorkerLoop::onAccept(evutil_socket_t fd, short, void* arg) {
  auto& self = *static_cast<WorkerLoop*>(arg);
  int listen_fd = self.exclusive_.enabled() ? self.exclusive_.listenFdOf(fd) : fd;
  if (listen_fd >= 0) self.acceptFrom(listen_fd);
}

void WorkerLoop::acceptFrom(int listen_fd) {
  const bool tls = std::find(context_.tls_fds.begin(), context_.tls_fds.end(), listen_fd) !=
                   context_.tls_fds.end();
  for (int i = 0; i < kAcceptBurst && listening_; ++i) {
    AcceptResult r = acceptor_->acceptFrom(listen_fd);
    if (r.status == Accepted::Retry) continue;
    if (r.status != Accepted::Connection) return;
    ++open_;
    publishConnections();
    if (open_ >= context_.config.max_connections) updateListening();
    handOver(std::move(r.fd), tls);
  }
}

void WorkerLoop::handOver(base::UniqueFd fd, bool tls) {
  std::string peer = acceptor_->peerOf(fd.get());
  model_.accepted(std::move(fd), std::move(peer), tls);
}

// One place decides whether we listen, from the three reasons not to.
void WorkerLoop::updateListening() {
  bool want = !stopping_ && !busy_ && open_ < context_.config.max_connections;
  if (want == listening_) return;
  listening_ = want;
  exclusive_.watch(want);
  for (auto& ev : listen_events_) {
    if (want) {
      event_add(ev.get(), nullptr);
    } else {
      event_del(ev.get());
    }
  }
}

void WorkerLoop::setBusy(bool busy) {
  if (busy_ == busy) return;
  busy_ = busy;
  updateListening();
}

void WorkerLoop::connectionClosed() {
  --open_;
  publishConnections();
  if (!listening_) updateListening();
  if (stopping_ && open_ == 0) event_base_loopbreak(base_.get());
}

void WorkerLoop::linger(base::UniqueFd fd) {
  ::shutdown(fd.get(), SHUT_WR);
  lingering_.emplace_front();
  Lingering& l = lingering_.front();
  l.loop = this;
  l.self = lingering_.begin();
  l.fd = std::move(fd);
  l.event.reset(event_new(base_.get(), l.fd.get(), EV_READ | EV_PERSIST, onLinger, &l));
  timeval tv = toTimeval(kLingerTime);
  event_add(l.event.get(), &tv);
}

void WorkerLoop::onLinger(evutil_socket_t fd, short what, void* arg) {
  auto& l = *static_cast<Lingering*>(arg);
  if (what & EV_TIMEOUT) return l.loop->endLinger(l.self);
  char sink[4096];
  for (;;) {
    net::IoResult r = net::receiveSome(fd, sink, sizeof sink);
    if (r.error == EAGAIN) return;
    if (r.error != 0 || r.bytes == 0) return l.loop->endLinger(l.self);
  }
}

void WorkerLoop::endLinger(std::list<Lingering>::iterator it) {
  lingering_.erase(it);  // frees the event, then closes the socket
  connectionClosed();
}

void WorkerLoop::onSignal(evutil_socket_t signal, short, void* arg) {
  auto& self = *static_cast<WorkerLoop*>(arg);
  switch (signal) {
    case SIGQUIT:
      return self.beginGracefulStop();
    case SIGUSR1:
      return self.logs_.reopen();
    default:
      return self.stopNow();  // TERM, INT
  }
}

void WorkerLoop::stopNow() {
  model_.fastStop();
  event_base_loopbreak(base_.get());
}

void WorkerLoop::beginGracefulStop() {
  if (stopping_) return;
  stopping_ = true;
  updateListening();  // out of the epoll instance before the descriptors go (ExclusiveAccept)
  // This process's copies of the listening sockets go now, so that once the master closes its
  // own, a new client is refused at once instead of waiting in a backlog nobody accepts from.
  exclusive_.disable();
  listen_events_.clear();
  for (int fd : context_.listen_fds) ::close(fd);
  // Logged once the sockets are closed: whoever reads this line may count on it.
  spdlog::info("worker {}: graceful stop, {} connection(s) open", context_.slot, open_);
  shutdown_timer_.reset(evtimer_new(base_.get(), onShutdownTimer, this));
  timeval tv = toTimeval(context_.config.shutdown_timeout);
  evtimer_add(shutdown_timer_.get(), &tv);
  model_.gracefulStop();
  if (open_ == 0) event_base_loopbreak(base_.get());
}

void WorkerLoop::onShutdownTimer(evutil_socket_t, short, void* arg) {
  auto& self = *static_cast<WorkerLoop*>(arg);
  spdlog::warn("worker {}: shutdown_timeout reached, closing {} connection(s)", self.context_.slot,
               self.open_);
  self.stopNow();
}

}  // namespace learnhttpd::worker
