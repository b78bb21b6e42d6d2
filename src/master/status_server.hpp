// SPDX-License-Identifier: MIT
#pragma once
// StatusServer: the status listener (`status: {listen: ...}`), a small HTTP/1.x responder run
// from the master's poll() loop. It must never stall supervision, so it is strictly
// non-blocking and bounded:
//   - at most kMaxClients connections at a time; further clients wait in a short listen
//     backlog (the listener is not polled while the table is full);
//   - a request head of at most kMaxHead bytes (431 past it), parsed by http::parse;
//   - kRequestTimeout from accept to a complete head, kSendTimeout to take the answer; a
//     client that sends nothing or stops reading is closed when its time is up;
//   - one answer per connection (Connection: close), then a short drain before the close, so
//     that unread request bytes do not turn the close into a reset that destroys the answer.
// Answers: GET or HEAD of /status (JSON, or the table with ?format=text) and /metrics
// (Prometheus text format) -> 200; any other path 404; another method 405; bytes that are not
// an HTTP request the parser's status (400, 414, 431, 501, 505). When remote access is not
// allowed, a request whose Host is a name other than localhost gets 403, so a web page cannot
// read the status through DNS rebinding.
//
// Threads: the master's thread only. Descriptors: all close-on-exec; a forked worker must call
// closeInChild() at once, so no worker holds the status port.

#include <poll.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <optional>
#include <string>
#include <vector>

#include "base/unique_fd.hpp"
#include "config/config.hpp"
#include "http/http_date.hpp"
#include "http/request.hpp"
#include "http/status.hpp"
#include "master/status_report.hpp"

namespace learnhttpd::master {

class StatusServer {
 public:
  using Clock = std::chrono::steady_clock;
  // Builds the snapshot an answer renders; called only for a complete, valid request.
  using Snapshot = std::function<StatusSnapshot()>;

  static constexpr std::size_t kMaxClients = 4;
  static constexpr std::size_t kMaxHead = 4096;
  static constexpr std::chrono::milliseconds kRequestTimeout{2000};
  static constexpr std::chrono::milliseconds kSendTimeout{5000};
  static constexpr std::chrono::milliseconds kDrainTime{500};
  static constexpr std::chrono::milliseconds kAcceptPause{1000};  // after EMFILE / ENFILE

  StatusServer() = default;
  StatusServer(const StatusServer&) = delete;
  StatusServer& operator=(const StatusServer&) = delete;

  // Binds, keeps or closes the listener to follow `config` (start, reload). On failure
  // returns false with `error` naming the address and the reason; nothing changes.
  bool update(const config::StatusConfig& config, std::string& error);
  // "127.0.0.1:8081", the address really bound (port 0 resolved); empty when off.
  std::string describe() const;

  // Appends what poll() must watch: the listener while a client slot is free, each client
  // for the direction it waits on.
  void addPollFds(std::vector<pollfd>& fds) const;
  // How long poll() may sleep before a client's deadline passes; nullopt without clients.
  std::optional<std::chrono::milliseconds> untilNextDeadline(Clock::time_point now) const;
  // After poll(): accepts, reads, answers, sends and closes whatever can go on without
  // waiting; closes clients past their deadline. A bounded amount of work per call.
  void serve(const Snapshot& snapshot);

  // Closes the listener and every client (the master is stopping, or the listener is off).
  void close() noexcept;
  // In a freshly forked worker: the same, without touching anything but the descriptors.
  void closeInChild() noexcept { close(); }

 private:
  enum class Stage { Reading, Writing, Draining };
  struct Client {
    base::UniqueFd fd;
    Stage stage = Stage::Reading;
    std::string in;  // the request head so far, at most kMaxHead bytes
    std::string out;
    std::size_t sent = 0;
    Clock::time_point deadline;
  };

  void acceptClients(Clock::time_point now);
  // False when the client is finished and must be closed.
  bool step(Client& client, const Snapshot& snapshot, Clock::time_point now);
  bool readRequest(Client& client, const Snapshot& snapshot, Clock::time_point now);
  bool writeAnswer(Client& client, Clock::time_point now);
  bool drain(Client& client);
  std::string answer(const http::Request& request, const Snapshot& snapshot);
  // An error page (text/html).
  std::string response(int version_minor, http::Status status, bool head_only);
  std::string response(int version_minor, http::Status status, std::string_view content_type,
                       std::string_view body, bool head_only);

  std::optional<config::ListenAddress> address_;
  bool allow_remote_ = false;
  base::UniqueFd listener_;
  std::optional<Clock::time_point> accept_paused_until_;
  std::list<Client> clients_;
  http::DateCache date_;
};

}  // namespace learnhttpd::master
