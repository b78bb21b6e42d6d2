// SPDX-License-Identifier: MIT
#include "master/status_server.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <variant>

#include "http/request_parser.hpp"
#include "http/response_head.hpp"
#include "master/listeners.hpp"
#include "net/socket.hpp"

namespace learnhttpd::master {
namespace {

constexpr int kBacklog = 8;  // clients past kMaxClients wait here, then are refused
constexpr std::size_t kMaxRequestLine = 1024;
// Bytes discarded per wake-up and client while draining.
constexpr std::size_t kDrainPerStep = std::size_t{64} * 1024;

constexpr std::string_view kJson = "application/json";
constexpr std::string_view kPrometheus = "text/plain; version=0.0.4; charset=utf-8";
constexpr std::string_view kText = "text/plain; charset=utf-8";

// DNS rebinding: a page of some web site may make a browser on this host send requests for a
// name that now resolves to 127.0.0.1, and read the answer. Such a request names a host; one
// addressed to an IP literal or to localhost does not come that way.
bool addressedToThisHost(const http::Request& request) {
  if (!request.has_host) return true;  // HTTP/1.0 without Host: not a browser
  std::string_view host = request.host;
  if (host.starts_with('[')) return true;  // IPv6 literal (the parser checked the syntax)
  host = host.substr(0, host.find(':'));
  if (host.size() == 9) {
    std::string lower(host);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(c | 0x20); });
    if (lower == "localhost") return true;
  }
  return !host.empty() && host.find_first_not_of("0123456789.") == std::string_view::npos;
}

}  // namespace

bool StatusServer::update(const config::StatusConfig& config, std::string& error) {
  if (!config.listen) {
    close();
    address_.reset();
    return true;
  }
  if (!listener_ || address_ != config.listen) {
    // A port-0 address keeps the port it got, as the main listeners do.
    net::ListenResult r = net::listenTcp(config.listen->host, config.listen->port, kBacklog);
    if (!r.fd) {
      bool v6 = config.listen->host.find(':') != std::string::npos;
      error = "cannot listen on status address " +
              (v6 ? "[" + config.listen->host + "]" : config.listen->host) + ":" +
              std::to_string(config.listen->port) + ": " + r.failed_call + ": " +
              std::strerror(r.error);
      return false;
    }
    listener_ = std::move(r.fd);  // clients of the old address finish on their own
    address_ = config.listen;
  }
  allow_remote_ = config.allow_remote;
  return true;
}

std::string StatusServer::describe() const {
  return listener_ ? Listeners::describe(listener_.get()) : std::string();
}

void StatusServer::addPollFds(std::vector<pollfd>& fds) const {
  if (listener_ && clients_.size() < kMaxClients && !accept_paused_until_) {
    fds.push_back({listener_.get(), POLLIN, 0});
  }
  for (const Client& c : clients_) {
    fds.push_back(
        {c.fd.get(), static_cast<short>(c.stage == Stage::Writing ? POLLOUT : POLLIN), 0});
  }
}

std::optional<std::chrono::milliseconds> StatusServer::untilNextDeadline(
    Clock::time_point now) const {
  std::optional<std::chrono::milliseconds> soonest;
  auto consider = [&](Clock::time_point deadline) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
    left = std::max(left, std::chrono::milliseconds(0));
    if (!soonest || left < *soonest) soonest = left;
  };
  for (const Client& c : clients_) consider(c.deadline);
  if (accept_paused_until_) consider(*accept_paused_until_);
  return soonest;
}

void StatusServer::serve(const Snapshot& snapshot) {
  Clock::time_point now = Clock::now();
  if (accept_paused_until_ && now >= *accept_paused_until_) accept_paused_until_.reset();
  if (listener_ && !accept_paused_until_) acceptClients(now);
  for (auto it = clients_.begin(); it != clients_.end();) {
    it = step(*it, snapshot, now) ? std::next(it) : clients_.erase(it);
  }
}

void StatusServer::close() noexcept {
  clients_.clear();
  listener_.reset();
}

void StatusServer::acceptClients(Clock::time_point now) {
  while (clients_.size() < kMaxClients) {
    int fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      // Out of descriptors: the listener stays readable, and polling it would spin the
      // master's loop; the client waits in the backlog while the listener rests.
      if (errno == EMFILE || errno == ENFILE) accept_paused_until_ = now + kAcceptPause;
      return;
    }
    Client& c = clients_.emplace_back();
    c.fd.reset(fd);
    c.deadline = now + kRequestTimeout;
    c.in.reserve(kMaxHead);
  }
}

bool StatusServer::step(Client& client, const Snapshot& snapshot, Clock::time_point now) {
  if (now >= client.deadline) return false;  // silent, slow, or not reading: its time is up
  switch (client.stage) {
    case Stage::Reading:
      return readRequest(client, snapshot, now);
    case Stage::Writing:
      return writeAnswer(client, now);
    case Stage::Draining:
      return drain(client);
  }
  return false;
}

bool StatusServer::readRequest(Client& client, const Snapshot& snapshot, Clock::time_point now) {
  char buffer[kMaxHead];
  net::IoResult r = net::receiveSome(client.fd.get(), buffer, kMaxHead - client.in.size());
  if (r.error == EAGAIN) return true;
  if (r.error != 0 || r.bytes == 0) return false;  // gone before asking anything
  client.in.append(buffer, r.bytes);
  http::ParseLimits limits;
  limits.max_request_line = kMaxRequestLine;
  limits.max_header_bytes = kMaxHead;
  http::ParseResult parsed = http::parse(client.in, limits);
  if (std::holds_alternative<http::NeedMore>(parsed)) {
    if (client.in.size() < kMaxHead) return true;
    client.out = response(1, http::Status::RequestHeaderFieldsTooLarge, false);
  } else if (auto* error = std::get_if<http::ParseError>(&parsed)) {
    client.out = response(1, error->status, false);
  } else {
    client.out = answer(std::get<http::Complete>(parsed).request, snapshot);
  }
  client.stage = Stage::Writing;
  client.deadline = now + kSendTimeout;
  return writeAnswer(client, now);
}

bool StatusServer::writeAnswer(Client& client, Clock::time_point now) {
  while (client.sent < client.out.size()) {
    net::IoResult r = net::sendSome(client.fd.get(), client.out.data() + client.sent,
                                    client.out.size() - client.sent);
    if (r.error == EAGAIN) return true;
    if (r.error != 0) return false;
    client.sent += r.bytes;
  }
  ::shutdown(client.fd.get(), SHUT_WR);
  client.stage = Stage::Draining;
  client.deadline = now + kDrainTime;
  client.out = std::string();
  return drain(client);
}

// Bytes the client sent past its head (a body, a second request, an oversized head) are read
// and dropped until it closes: closing with unread input would send a reset, which may destroy
// the answer before the client has read it.
bool StatusServer::drain(Client& client) {
  char sink[4096];
  for (std::size_t total = 0; total < kDrainPerStep;) {
    net::IoResult r = net::receiveSome(client.fd.get(), sink, sizeof sink);
    if (r.error == EAGAIN) return true;
    if (r.error != 0 || r.bytes == 0) return false;
    total += r.bytes;
  }
  return true;
}

std::string StatusServer::answer(const http::Request& request, const Snapshot& snapshot) {
  const int minor = request.version_minor;
  if (request.method != http::Method::Get && request.method != http::Method::Head) {
    return response(minor, http::Status::MethodNotAllowed, false);
  }
  const bool head_only = request.method == http::Method::Head;
  if (!allow_remote_ && !addressedToThisHost(request)) {
    return response(minor, http::Status::Forbidden, head_only);
  }
  const std::string_view target = request.target;
  const std::string_view path = target.substr(0, target.find('?'));
  const std::string_view query =
      path.size() < target.size() ? target.substr(path.size() + 1) : std::string_view{};
  if (path == "/metrics") {
    return response(minor, http::Status::Ok, kPrometheus, renderPrometheus(snapshot()), head_only);
  }
  if (path != "/status") return response(minor, http::Status::NotFound, head_only);
  if (query.empty() || query == "format=json") {
    return response(minor, http::Status::Ok, kJson, renderJson(snapshot()), head_only);
  }
  if (query == "format=text") {
    return response(minor, http::Status::Ok, kText, renderTable(snapshot()), head_only);
  }
  return response(minor, http::Status::BadRequest, head_only);
}

std::string StatusServer::response(int version_minor, http::Status status, bool head_only) {
  return response(version_minor, status, "text/html", http::errorBody(status), head_only);
}

std::string StatusServer::response(int version_minor, http::Status status,
                                   std::string_view content_type, std::string_view body,
                                   bool head_only) {
  http::ResponseHead head;
  head.status = status;
  head.version_minor = version_minor;
  head.date = date_.get(std::time(nullptr));
  head.keep_alive = false;
  head.content_length = body.size();
  head.content_type = content_type;
  if (status == http::Status::MethodNotAllowed) head.allow = "GET, HEAD";
  std::string out;
  out.reserve(256 + (head_only ? 0 : body.size()));
  http::appendResponseHead(head, out);
  if (!head_only) out += body;
  return out;
}

}  // namespace learnhttpd::master
