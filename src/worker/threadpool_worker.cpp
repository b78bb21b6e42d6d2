// SPDX-License-Identifier: MIT
#include "worker/threadpool_worker.hpp"

#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <ctime>

#include <spdlog/spdlog.h>

#include "net/socket.hpp"
#include "worker/input_deadline.hpp"

namespace learnhttpd::worker {
namespace {

// Ready connections that may wait in the queue per thread: enough that a thread finishing a
// request finds the next one without a round trip through the loop, few enough that a
// connection is not parked long behind busy threads.
constexpr std::size_t kQueuePerThread = 4;

using Clock = std::chrono::steady_clock;

}  // namespace

struct ThreadPoolWorker::Connection {
  Connection(ThreadPoolWorker& w, base::UniqueFd socket, std::string peer)
      : worker(w), fd(std::move(socket)), session(w.serve_, std::move(peer)) {}

  ThreadPoolWorker& worker;
  base::UniqueFd fd;
  protocol::Session session;       // the owning thread's (see the header)
  Next next = Next::WaitForInput;  // written by the pool thread before it hands back
  // Loop thread only:
  EventPtr read_event;
  EventPtr write_event;  // armed while the send buffer is full, with send_timeout
  ConnectionList::iterator self;
  InputDeadline deadline;
  bool in_pool = false;         // queued, waiting for a slot, or being served
  bool waiting_output = false;  // the loop waits for the send buffer to drain
  bool ready_again = false;     // an input edge came while in_pool or waiting_output
  bool awaiting = false;        // in awaiting_: its answer waits for a credential check
  std::uint64_t dispatched_in = 0;  // verified_epoch_ when it last went to the pool
};

ThreadPoolWorker::ThreadPoolWorker(const WorkerContext& context)
    : config_(context.config),
      serve_(context.config, context.site_files, requestCounter(context), context.site_counts),
      loop_(context, serve_, *this),
      sizer_(PoolSizer::fromConfig(context.config)),
      queue_(kQueuePerThread * sizer_.max()),
      report_("threadpool", context.slot, sizer_, context.status) {}

ThreadPoolWorker::~ThreadPoolWorker() {
  stopThreads();
}

int ThreadPoolWorker::run() {
  // Edge-triggered readiness is what lets a connection stay registered while a thread has it.
  if (!loop_.open(EV_FEATURE_ET)) return kExitBootFailure;
  wake_fd_.reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!wake_fd_) {
    spdlog::critical("worker {}: eventfd: {}", loop_.slot(), std::strerror(errno));
    return kExitBootFailure;
  }
  wake_event_.reset(
      event_new(loop_.base(), wake_fd_.get(), EV_READ | EV_PERSIST, onHandBack, this));
  event_add(wake_event_.get(), nullptr);
  if (!threads_.open()) {
    spdlog::critical("worker {}: eventfd: {}", loop_.slot(), std::strerror(errno));
    return kExitBootFailure;
  }
  finished_event_.reset(
      event_new(loop_.base(), threads_.finishedFd(), EV_READ | EV_PERSIST, onThreadFinished, this));
  event_add(finished_event_.get(), nullptr);
  report_timer_.reset(evtimer_new(loop_.base(), onReportDue, this));
  // A bcrypt check takes tens of milliseconds: on the checks' own thread, so that no pool
  // thread holds a connection that long (the queue trusts its threads to come back quickly).
  serve::CredentialChecks& checks = serve_.sites.credentialChecks();
  if (serve_.sites.hasAuth() && checks.verifyOffThread()) {
    verified_event_.reset(
        event_new(loop_.base(), checks.wakeFd(), EV_READ | EV_PERSIST, onVerified, this));
    if (!verified_event_ || event_add(verified_event_.get(), nullptr) != 0) {
      return kExitBootFailure;
    }
  }
  if (!startThreads()) return kExitBootFailure;
  loop_.run();
  stopThreads();
  return kExitOk;
}

// MIN threads (all of them for a fixed pool); the pool grows from there (grow()).
bool ThreadPoolWorker::startThreads() {
  if (!sizer_.fixed()) queue_.setSizer(sizer_);
  int error = 0;
  while (threads_.running() < sizer_.min() && error == 0) {
    error = threads_.start(servePoolThread, this);
  }
  queue_.setConsumers(static_cast<unsigned>(threads_.running()));
  if (error != 0) {
    spdlog::critical("worker {}: cannot start thread {} of {}: {}", loop_.slot(),
                     threads_.running() + 1, sizer_.min(), std::strerror(error));
    return false;
  }
  reportThreads();
  return true;
}

void ThreadPoolWorker::stopThreads() {
  quit_.store(true, std::memory_order_relaxed);
  queue_.close();
  threads_.joinAll();
}

// Loop thread: push() found work waiting and no thread idle, and reserved a place for one more.
void ThreadPoolWorker::grow() {
  if (int error = threads_.start(servePoolThread, this); error != 0) {
    queue_.removeConsumer();
    report_.startFailed(error, Clock::now());
    return;
  }
  reportThreads();
}

void ThreadPoolWorker::reportThreads() {
  auto now = Clock::now();
  report_.update(static_cast<unsigned>(threads_.running()), now);
  armReportTimer(now);
}

// A held log line gets a timer for when it is due.
void ThreadPoolWorker::armReportTimer(Clock::time_point now) {
  std::optional<Clock::time_point> due = report_.dueAt();
  if (!due || evtimer_pending(report_timer_.get(), nullptr)) return;
  // Rounded up, and libevent counts from the loop's cached time, which may be a little behind
  // `now`: the timer can still fire early, and then onReportDue() arms it again.
  auto wait = std::chrono::ceil<std::chrono::milliseconds>(*due - now);
  timeval tv =
      toTimeval(std::max(wait, std::chrono::milliseconds(0)) + std::chrono::milliseconds(1));
  evtimer_add(report_timer_.get(), &tv);
}

// A pool thread retired (or ended with the queue's close): join it, report the smaller pool.
void ThreadPoolWorker::onThreadFinished(evutil_socket_t, short, void* arg) {
  auto& self = *static_cast<ThreadPoolWorker*>(arg);
  self.threads_.joinFinished();
  self.reportThreads();
}

void ThreadPoolWorker::onReportDue(evutil_socket_t, short, void* arg) {
  auto& self = *static_cast<ThreadPoolWorker*>(arg);
  auto now = Clock::now();
  self.report_.flush(now);
  self.armReportTimer(now);
}

// ---- loop thread ----------------------------------------------------------------------------

void ThreadPoolWorker::accepted(base::UniqueFd fd, std::string peer, bool tls) {
  connections_.emplace_front(*this, std::move(fd), std::move(peer));
  Connection& conn = connections_.front();
  conn.self = connections_.begin();
  // Edge-triggered and persistent: registered with epoll once for the connection's life, so a
  // hand-over costs no epoll_ctl. An edge while a pool thread owns the socket is only noted
  // (ready_again); the thread hands back only after a short read drained the socket, so
  // whatever arrives later raises a new edge.
  conn.read_event.reset(
      event_new(loop_.base(), conn.fd.get(), EV_READ | EV_PERSIST | EV_ET, onReadable, &conn));
  // One-shot, added only when a thread found the send buffer full. Adding it re-arms epoll,
  // which reports a socket that became writable in the meantime, so no edge is lost.
  conn.write_event.reset(
      event_new(loop_.base(), conn.fd.get(), EV_WRITE | EV_ET, onWritable, &conn));
  // The handshake itself (its signature is the costly part) runs in a pool thread, in serve().
  if (tls && !conn.session.startTls(*loop_.tlsContext(), conn.fd.get())) return close(conn);
  waitForInput(conn);
}

// A client that does not read its answer waits here, in the loop, not in a pool thread.
void ThreadPoolWorker::waitForOutput(Connection& conn) {
  conn.waiting_output = true;
  // A handshake waiting to send keeps to its header_timeout budget.
  timeval tv = toTimeval(conn.session.handshaking()
                             ? conn.deadline.next(conn.session, config_, loop_.stopping())
                             : config_.send_timeout);
  event_add(conn.write_event.get(), &tv);
}

void ThreadPoolWorker::onWritable(evutil_socket_t, short what, void* arg) {
  auto& conn = *static_cast<Connection*>(arg);
  conn.waiting_output = false;
  if (what & EV_TIMEOUT)
    return conn.worker.close(conn);  // send_timeout: the client stopped reading
  conn.worker.dispatch(conn);
}

void ThreadPoolWorker::waitForInput(Connection& conn) {
  // An idle keep-alive connection keeps no buffers: what it costs while it waits is its
  // socket, its events and the session's fixed fields (docs/performance.md).
  if (!conn.session.hasOutput()) conn.session.releaseIdleBuffers();
  timeval tv = toTimeval(conn.deadline.next(conn.session, config_, loop_.stopping()));
  event_add(conn.read_event.get(), &tv);
}

void ThreadPoolWorker::onReadable(evutil_socket_t, short what, void* arg) {
  auto& conn = *static_cast<Connection*>(arg);
  ThreadPoolWorker& self = conn.worker;
  if (conn.in_pool || conn.waiting_output) {  // its input timeouts do not apply now
    if (what & EV_READ) conn.ready_again = true;
    return;
  }
  if (what & EV_TIMEOUT) {
    // Idle keep-alive: close; a head cut short: 408; HTTP/2: GOAWAY. A thread sends it.
    if (conn.session.expire(self.loop_.now()) == protocol::Expiry::Close) return self.close(conn);
  }
  self.dispatch(conn);
}

void ThreadPoolWorker::dispatch(Connection& conn) {
  conn.in_pool = true;
  conn.ready_again = false;
  conn.dispatched_in = verified_epoch_;
  // Behind connections already waiting, so a full queue serves them in order.
  if (waiting_.empty() && push(&conn)) return;
  waiting_.push_back(&conn);
  loop_.setBusy(true);
}

void ThreadPoolWorker::dispatchWaiting() {
  while (!waiting_.empty() && push(waiting_.front())) waiting_.pop_front();
  if (waiting_.empty()) loop_.setBusy(false);
}

// Onto the queue, growing the pool when the queue says work waits with no thread idle.
bool ThreadPoolWorker::push(Connection* conn) {
  BoundedQueue<Connection*>::Pushed pushed = queue_.push(conn);
  if (pushed.grow) grow();
  return pushed.taken;
}

void ThreadPoolWorker::onHandBack(evutil_socket_t fd, short, void* arg) {
  auto& self = *static_cast<ThreadPoolWorker*>(arg);
  // Read the counter before taking the list: a hand-back that lands after the swap then
  // finds the list empty and writes the eventfd again, so it is never stranded.
  std::uint64_t count = 0;
  [[maybe_unused]] ssize_t n = ::read(fd, &count, sizeof count);
  {
    std::lock_guard lock(self.back_mutex_);
    self.taken_.swap(self.back_);
  }
  for (Connection* conn : self.taken_) self.takeBack(*conn);
  self.taken_.clear();
  self.dispatchWaiting();
}

void ThreadPoolWorker::takeBack(Connection& conn) {
  conn.in_pool = false;
  protocol::Session& session = conn.session;
  if (conn.next == Next::Close) return close(conn);
  if (conn.next == Next::WaitForOutput) return waitForOutput(conn);
  if (conn.next == Next::Finish) {
    // As in the event model: linger when the client may still be sending, so our close does
    // not reset the answer in flight.
    if (!session.lingerBeforeClose()) return close(conn);
    base::UniqueFd fd = std::move(conn.fd);
    if (conn.awaiting) std::erase(awaiting_, &conn);
    connections_.erase(conn.self);
    return loop_.linger(std::move(fd));
  }
  if (loop_.stopping()) session.drain();
  waitForInput(conn);
  if (conn.ready_again) return dispatch(conn);  // bytes came while a thread had it
  if (session.awaitingAnswer()) {
    // A check that finished while a thread had the connection woke nobody for it: ask again.
    if (conn.dispatched_in != verified_epoch_) return dispatch(conn);
    conn.awaiting = true;
    awaiting_.push_back(&conn);
  }
}

// Credential checks finished: the connections whose answer waited for one go to the pool again
// (their answer is ready, or their check is still queued and they come back here).
void ThreadPoolWorker::onVerified(evutil_socket_t, short, void* arg) {
  auto& self = *static_cast<ThreadPoolWorker*>(arg);
  self.serve_.sites.credentialChecks().drainWakeups();
  ++self.verified_epoch_;
  std::vector<Connection*> waiting;
  waiting.swap(self.awaiting_);
  for (Connection* conn : waiting) {
    conn->awaiting = false;
    if (!conn->in_pool) self.dispatch(*conn);
  }
}

void ThreadPoolWorker::close(Connection& conn) {
  if (conn.awaiting) std::erase(awaiting_, &conn);
  connections_.erase(conn.self);  // frees the event, then closes the socket
  loop_.connectionClosed();
}

void ThreadPoolWorker::gracefulStop() {
  stopping_.store(true, std::memory_order_relaxed);
  // Idle connections get the same short last call as in the event model; the ones in the pool
  // are drained by their thread, which sees stopping_.
  for (auto& conn : connections_) {
    if (conn.in_pool) continue;
    conn.session.drain();
    if (!conn.waiting_output) waitForInput(conn);  // else its answer finishes first
  }
}

void ThreadPoolWorker::fastStop() {
  quit_.store(true, std::memory_order_relaxed);
  queue_.close();
  // A pool thread in the middle of a send fails at its next one instead of finishing it.
  for (auto& conn : connections_) {
    if (conn.in_pool) ::shutdown(conn.fd.get(), SHUT_RDWR);
  }
}

// ---- pool threads ---------------------------------------------------------------------------

void ThreadPoolWorker::servePoolThread(void* arg) {
  static_cast<ThreadPoolWorker*>(arg)->servePool();
}

// Busy threads are counted per hand-over, not per request, on the status slot's cache line
// that `requests` already bounces between the pool threads.
void ThreadPoolWorker::servePool() {
  WorkerStatus* status = loop_.status();
  while (std::optional<Connection*> conn = queue_.pop()) {
    if (status != nullptr) status->threads_busy.fetch_add(1, std::memory_order_relaxed);
    Next next = serve(**conn);
    if (status != nullptr) status->threads_busy.fetch_sub(1, std::memory_order_relaxed);
    handBack(**conn, next);
  }
}

// Reads and answers until the client has nothing more to say for now. A thread never waits
// for a client: once a read leaves the socket empty and nothing buffered can be answered, or
// the send buffer is full, the connection goes back to the loop, so idle clients, slow
// senders and clients that stop reading cost no thread.
ThreadPoolWorker::Next ThreadPoolWorker::serve(Connection& conn) {
  protocol::Session& session = conn.session;
  bool drained = false;  // the last recv() returned less than asked: the socket was empty
  if (session.handshaking()) {
    // WantRead: OpenSSL's read found the socket empty, so the next bytes raise a new edge.
    switch (session.handshake(std::time(nullptr))) {
      case protocol::HandshakeStep::WantRead:
        return Next::WaitForInput;
      case protocol::HandshakeStep::WantWrite:
        return Next::WaitForOutput;
      case protocol::HandshakeStep::Close:
        return Next::Close;
      case protocol::HandshakeStep::Answer:
      case protocol::HandshakeStep::Done:
        break;
    }
  }
  // An answer that waited for a credential check: ask again before reading anything new.
  if (session.awaitingAnswer()) session.process(std::time(nullptr));
  for (;;) {
    if (quit_.load(std::memory_order_relaxed)) return Next::Close;
    bool stopping = stopping_.load(std::memory_order_relaxed);
    if (stopping) session.drain();
    if (!session.hasOutput()) {
      // A session can give up on its input with nothing left to send (a malformed chunked
      // body arriving after its request was answered).
      if (session.closeAfterOutput()) return Next::Finish;
      // Skipping the read that would only say EAGAIN saves a syscall per request; bytes that
      // arrive after a short read raise a new edge in the loop.
      if (drained) return Next::WaitForInput;
      protocol::ReadResult r = session.readFrom(conn.fd.get());
      if (r == protocol::ReadResult::WouldBlock) return Next::WaitForInput;
      if (!protocol::receivedInput(r)) return Next::Close;
      drained = r == protocol::ReadResult::Drained;
      session.process(std::time(nullptr));
      continue;
    }
    protocol::FlushResult flushed = session.writeTo(conn.fd.get());
    if (flushed == protocol::FlushResult::Error) return Next::Close;
    if (flushed == protocol::FlushResult::WouldBlock) return Next::WaitForOutput;
    // While stopping, an answer that still said keep-alive is not followed by a close: the
    // client may already be sending its next request, which gets "Connection: close" instead
    // (the loop gives it the short drain deadline).
    if (session.closeAfterOutput()) return Next::Finish;
    session.process(std::time(nullptr));  // pipelined requests already buffered
  }
}

void ThreadPoolWorker::handBack(Connection& conn, Next next) {
  conn.next = next;
  bool first = false;
  {
    std::lock_guard lock(back_mutex_);
    first = back_.empty();
    back_.push_back(&conn);
  }
  // One wake-up per batch: later hand-backs ride along until the loop takes the list.
  if (first) {
    std::uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_fd_.get(), &one, sizeof one);
  }
}

}  // namespace learnhttpd::worker
