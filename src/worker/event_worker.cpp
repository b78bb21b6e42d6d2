// SPDX-License-Identifier: MIT
#include "worker/event_worker.hpp"

#include <string>

#include "worker/input_deadline.hpp"

namespace learnhttpd::worker {

struct EventWorker::Connection {
  Connection(EventWorker& w, base::UniqueFd socket, std::string peer)
      : worker(w), fd(std::move(socket)), session(w.serve_, std::move(peer)) {}

  EventWorker& worker;
  base::UniqueFd fd;
  protocol::Session session;  // HTTP/1.x, or HTTP/2 once it turns out to speak that
  // One event, pointed at whichever readiness the connection waits for: input (onReadable) or
  // room to send (onWritable) -- never both at once. One allocation per connection instead of
  // two is ~150 bytes less per idle keep-alive connection (docs/performance.md).
  EventPtr event;
  short waits_for = 0;  // EV_READ or EV_WRITE: what `event` is assigned to (0: nothing yet)
  ConnectionList::iterator self;
  InputDeadline deadline;
  bool batched = false;   // in batch_
  bool awaiting = false;  // in awaiting_
};

EventWorker::EventWorker(const WorkerContext& context)
    : config_(context.config),
      serve_(context.config, context.site_files, requestCounter(context), context.site_counts),
      loop_(context, serve_, *this) {}

EventWorker::~EventWorker() = default;

int EventWorker::run() {
  if (!loop_.open()) return kExitBootFailure;
  // A bcrypt check costs tens of milliseconds: never on this loop's thread.
  serve::CredentialChecks& checks = serve_.sites.credentialChecks();
  if (serve_.sites.hasAuth() && checks.verifyOffThread()) {
    verified_.reset(
        event_new(loop_.base(), checks.wakeFd(), EV_READ | EV_PERSIST, onVerified, this));
    if (!verified_ || event_add(verified_.get(), nullptr) != 0) return kExitBootFailure;
  }
  loop_.run();
  return kExitOk;
}

// Verifications finished: every connection waiting for one asks again (its answer is ready
// now, or its check is still queued and it waits on).
void EventWorker::onVerified(evutil_socket_t, short, void* arg) {
  auto& self = *static_cast<EventWorker*>(arg);
  self.serve_.sites.credentialChecks().drainWakeups();
  std::vector<Connection*> waiting;
  waiting.swap(self.awaiting_);
  for (Connection* conn : waiting) {
    conn->awaiting = false;
    conn->session.process(self.loop_.now());
    self.drive(*conn);  // may close *conn, never another connection
  }
}

void EventWorker::accepted(base::UniqueFd fd, std::string peer, bool tls) {
  connections_.emplace_front(*this, std::move(fd), std::move(peer));
  Connection& conn = connections_.front();
  conn.self = connections_.begin();
  int sock = conn.fd.get();
  conn.event.reset(event_new(loop_.base(), sock, EV_READ | EV_PERSIST, onReadable, &conn));
  conn.waits_for = EV_READ;
  if (tls && !conn.session.startTls(*loop_.tlsContext(), sock)) return close(conn);
  waitForInput(conn);  // a handshake waits for the ClientHello under header_timeout
}

void EventWorker::onReadable(evutil_socket_t, short what, void* arg) {
  auto& conn = *static_cast<Connection*>(arg);
  EventWorker& self = conn.worker;
  if (what & EV_TIMEOUT) {
    // Idle keep-alive: close; a head cut short: 408; HTTP/2: GOAWAY, then close.
    if (conn.session.expire(self.loop_.now()) == protocol::Expiry::Close) return self.close(conn);
    return self.drive(conn);
  }
  if (conn.session.handshaking()) return self.continueHandshake(conn);
  protocol::ReadResult r = conn.session.readFrom(conn.fd.get());
  if (r == protocol::ReadResult::WouldBlock) {
    // Woken with nothing to read (after a handshake): HTTP/2's SETTINGS may wait to be sent.
    if (conn.session.hasOutput()) self.drive(conn);
    return;
  }
  if (!protocol::receivedInput(r)) return self.close(conn);
  if (!conn.batched) {
    conn.batched = true;
    self.batch_.push_back(&conn);
  }
}

// Every connection that read input in this batch is answered here, after ONE sync() of the
// open-file cache: the sync follows every recv() of the batch, so a change completed before any
// of those requests' bytes were read is seen by it (docs/performance.md), and a cache hit costs
// no system call of its own — the inotify read is shared by the whole batch.
void EventWorker::endOfBatch() {
  if (batch_.empty()) return;
  if (fs::OpenFileCache* cache = serve_.sites.fileCache()) cache->sync();
  std::vector<Connection*> batch;
  batch.swap(batch_);
  for (Connection* conn : batch) {
    conn->batched = false;
    conn->session.cacheSynced();
    conn->session.process(loop_.now());
    drive(*conn);  // may close *conn, never another connection
  }
  batch.clear();
  if (batch_.empty()) batch_.swap(batch);  // keep the capacity for the next batch
}

void EventWorker::onWritable(evutil_socket_t, short what, void* arg) {
  auto& conn = *static_cast<Connection*>(arg);
  if (what & EV_TIMEOUT) return conn.worker.close(conn);  // send_timeout: client stopped reading
  if (conn.session.handshaking()) return conn.worker.continueHandshake(conn);
  conn.worker.drive(conn);
}

// The handshake waits for whichever readiness OpenSSL asks for, within what is left of
// header_timeout (InputDeadline); a timeout on either event closes the connection.
void EventWorker::continueHandshake(Connection& conn) {
  switch (conn.session.handshake(loop_.now())) {
    case protocol::HandshakeStep::WantRead:
      return waitForInput(conn);
    case protocol::HandshakeStep::WantWrite:
      return await(conn, EV_WRITE, conn.deadline.next(conn.session, config_, loop_.stopping()));
    case protocol::HandshakeStep::Answer:
      event_del(conn.event.get());
      return drive(conn);
    case protocol::HandshakeStep::Close:
      return close(conn);
    case protocol::HandshakeStep::Done:
      break;
  }
  waitForInput(conn);
  // The first request often arrives with the client's Finished: OpenSSL may hold it already.
  event_active(conn.event.get(), EV_READ, 0);
}

// Sends what the session has queued, then either waits for the socket to drain, closes, or
// goes on with pipelined requests / waits for the next one.
void EventWorker::drive(Connection& conn) {
  for (;;) {
    protocol::FlushResult flushed = conn.session.writeTo(conn.fd.get());
    if (flushed == protocol::FlushResult::Error) return close(conn);
    if (flushed == protocol::FlushResult::WouldBlock) {
      // No new requests are read while the answer backs up.
      return await(conn, EV_WRITE, config_.send_timeout);
    }
    if (conn.waits_for == EV_WRITE) event_del(conn.event.get());
    if (conn.session.closeAfterOutput()) return finish(conn);
    conn.session.process(loop_.now());
    if (!conn.session.hasOutput()) break;
  }
  if (conn.session.awaitingAnswer() && !conn.awaiting) {
    conn.awaiting = true;
    awaiting_.push_back(&conn);
  }
  waitForInput(conn);
}

void EventWorker::waitForInput(Connection& conn) {
  // An idle keep-alive connection keeps no buffers: what it costs while it waits is its
  // socket, its events and the session's fixed fields (docs/performance.md).
  if (!conn.session.hasOutput()) conn.session.releaseIdleBuffers();
  await(conn, EV_READ, conn.deadline.next(conn.session, config_, loop_.stopping()));
  // Decrypted bytes held by OpenSSL raise no readiness of the socket.
  if (conn.session.inputPending()) event_active(conn.event.get(), EV_READ, 0);
}

// Arms the connection's event for `what` (EV_READ or EV_WRITE) with `timeout`. Waiting for the
// same readiness again only moves the timer; a change of direction deletes the event first
// (event_assign must never touch a pending or active event) and points it at the other
// callback.
void EventWorker::await(Connection& conn, short what, std::chrono::milliseconds timeout) {
  if (conn.waits_for != what) {
    event_del(conn.event.get());
    event_assign(conn.event.get(), loop_.base(), conn.fd.get(),
                 static_cast<short>(what | EV_PERSIST), what == EV_READ ? onReadable : onWritable,
                 &conn);
    conn.waits_for = what;
  }
  timeval tv = toTimeval(timeout);
  event_add(conn.event.get(), &tv);
}

// Closes after the last answer. When the client may still be sending (an error cut its request
// short, or it pipelined more than we answer), a plain close() would make the kernel send a
// reset that can destroy the answer in flight; so the loop lingers on it instead.
void EventWorker::finish(Connection& conn) {
  if (!conn.session.lingerBeforeClose()) return close(conn);
  if (conn.batched) std::erase(batch_, &conn);
  if (conn.awaiting) std::erase(awaiting_, &conn);
  base::UniqueFd fd = std::move(conn.fd);
  connections_.erase(conn.self);  // frees the events; the socket lives on in `fd`
  loop_.linger(std::move(fd));
}

void EventWorker::close(Connection& conn) {
  if (conn.batched) std::erase(batch_, &conn);
  if (conn.awaiting) std::erase(awaiting_, &conn);
  connections_.erase(conn.self);  // frees the events, then closes the socket
  loop_.connectionClosed();
}

void EventWorker::gracefulStop() {
  // Idle keep-alive connections are not cut at once: a busy client's next request may already
  // be on the wire, and closing under it fails that request. For a short grace each idle
  // connection may send one more request, answered with "Connection: close"; HTTP/2 is asked to
  // go away at its next pause (Http2Session::expire()).
  for (auto& conn : connections_) {
    conn.session.drain();
    if (!conn.session.hasOutput()) waitForInput(conn);
  }
}

}  // namespace learnhttpd::worker
