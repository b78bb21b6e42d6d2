// SPDX-License-Identifier: MIT
#pragma once
// The worker models (docs/models.md) and the one table of what each can do. Whatever depends
// on the model -- which listeners it serves, whether the open-file cache can work in it, what
// `threads: MIN..MAX` means there, the warning an operator must see -- is a column of that
// table, read by config (validation), the answer layer (the file cache), the master (-t and
// start) and worker (makeWorker); a new model is a new row.

#include <optional>
#include <string>
#include <string_view>

namespace learnhttpd::config {

// The production models (event, threadpool) and the teaching models of docs/models.md.
enum class WorkerModel {
  Event,
  ThreadPool,
  Blocking,
  ProcessPerConnection,
  ThreadPerConnection,
  ThreadsAccept,
  ThreadsQueue,
  BusyPoll,
  Select,
};

// What `threads: MIN..MAX` does in a model.
enum class PoolRange {
  None,      // no pool threads: `threads` is not used
  Grows,     // a pool that grows to MAX while work waits and shrinks back to MIN when idle
  FixedMax,  // threads that each run from start to stop: a range means MAX threads
};

struct ModelTraits {
  WorkerModel model;
  std::string_view name;  // in the configuration, -m and the logs: "process-per-connection"
  bool production;        // recommended for serving (docs/models.md)
  bool serves_tls;        // can serve "ssl" listeners (a libevent loop owns the handshakes)
  // One process serves every connection of the worker, so the inotify-exact open-file cache
  // works (a model that forks per connection would share one inotify queue between processes,
  // and a child draining it would hide events from the parent).
  bool file_cache;
  bool threads;  // serves on threads of its own (ThreadSanitizer covers it)
  // Speaks HTTP/2 (protocol::Http2Session, which a libevent loop drives); the others answer
  // every connection in HTTP/1.1, whatever `http2` says.
  bool http2;
  PoolRange pool;
  std::string_view warning;  // what -t and a start say when it is chosen, or empty
};

// The row of `model`.
const ModelTraits& traitsOf(WorkerModel model) noexcept;
// The configuration name of a model ("process-per-connection").
std::string_view modelName(WorkerModel model) noexcept;
// The model named `name`, if any.
std::optional<WorkerModel> modelNamed(std::string_view name) noexcept;
// A warning an operator must see when choosing `model` (busy-poll burns a CPU), or empty.
std::string_view modelWarning(WorkerModel model) noexcept;
// "event, threadpool, blocking, ..." for error messages and -h.
std::string modelNames();

}  // namespace learnhttpd::config
