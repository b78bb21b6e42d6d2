// SPDX-License-Identifier: MIT
#pragma once
// The blocking connection driver: one thread serves one connection from its first byte to its
// close -- wait for input, read, Http1Session, send (sendfile for big bodies), repeat -- the way
// every classic blocking server does. The blocking models (blocking, process-per-connection,
// thread-per-connection, threads-accept, threads-queue) differ only in who calls it.
//
// "Blocking" means the thread is the connection's for its whole life and sleeps while the client
// is silent. The socket itself is non-blocking and each sleep is a poll() through
// ModelControl::wait(), beside the worker's stop descriptors: that is what makes every timeout
// hold (header_timeout from a head's first byte, keepalive_timeout between requests,
// send_timeout per stalled send; the InputDeadline rule of the event models) and lets QUIT and
// TERM reach a thread that waits for a client. A waiting thread wakes at once on TERM (the
// connection is dropped) and on QUIT while idle (one short last call, answered with
// "Connection: close"); an answer in progress is finished on QUIT. Cost against a textbook
// blocking recv(): one poll() per request (3 system calls: poll, recv, send).
//
// Thread-safety: serveConnection() may run on any number of threads at once, each with its own
// connection; it touches the shared SessionContext read-only and ModelControl through its
// thread-safe members only (ModelControl's header).

#include <string>

#include "base/unique_fd.hpp"
#include "worker/model_control.hpp"

namespace learnhttpd::worker {

// Serves `fd` (non-blocking, close-on-exec, TCP_NODELAY) until the connection ends; closes it.
// `peer` is the client's address for the access log (empty in quiet mode).
void serveConnection(ModelControl& control, base::UniqueFd fd, std::string peer);

}  // namespace learnhttpd::worker
