// SPDX-License-Identifier: MIT
#include "worker/blocking_driver.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include <spdlog/spdlog.h>

#include "net/socket.hpp"
#include "protocol/http1_session.hpp"
#include "worker/input_deadline.hpp"

namespace learnhttpd::worker {
namespace {

// Shorter than WorkerLoop's 2 s: here a lingering connection pins a whole thread or process,
// and a client that never closes would hold it that long after every error answer.
constexpr std::chrono::milliseconds kLingerTime{500};

class Driver {
 public:
  Driver(ModelControl& control, base::UniqueFd fd, std::string peer)
      : control_(control),
        config_(control.config()),
        fd_(std::move(fd)),
        session_(control.serve(), std::move(peer)) {}

  void run() {
    for (;;) {
      if (session_.hasOutput()) {
        if (!flush()) return;
        if (session_.closeAfterOutput()) return linger();
        process();
        continue;
      }
      if (!waitForInput()) return;
    }
  }

 private:
  void process() {
    if (control_.quitting()) session_.drain();
    session_.process(std::time(nullptr));
  }

  // False when the connection is over (closed by the client, idle timeout, stop).
  bool waitForInput() {
    bool stopping = control_.quitting();
    if (stopping) session_.drain();
    auto timeout = deadline_.next(session_, config_, stopping);
    bool idle = !session_.midRequest();
    Wake wake = control_.waitFor(fd_.get(), POLLIN, SteadyClock::now() + timeout, idle, stopping);
    switch (wake) {
      case Wake::Stop:
        return false;
      case Wake::Quit:
        return true;  // decide again, now with the short last call
      case Wake::Timeout:
        if (idle) return false;  // idle keep-alive (or a silent new connection) expired
        session_.failWith(http::Status::RequestTimeout, std::time(nullptr));
        return true;
      case Wake::Ready:
        break;
    }
    protocol::ReadResult r = session_.readFrom(fd_.get());
    if (r == protocol::ReadResult::WouldBlock) return true;
    if (!protocol::receivedInput(r)) return false;
    process();
    return true;
  }

  // Sends everything queued; waits for a full send buffer at most send_timeout per stall.
  bool flush() {
    for (;;) {
      protocol::FlushResult r = session_.writeTo(fd_.get());
      if (r == protocol::FlushResult::Done) return true;
      if (r == protocol::FlushResult::Error) return false;
      auto deadline = SteadyClock::now() + config_.send_timeout;
      if (control_.waitFor(fd_.get(), POLLOUT, deadline, false) != Wake::Ready) return false;
    }
  }

  // After the last answer, when the client may still be sending (an error cut its request
  // short, or it pipelined more than we answer), a plain close() would make the kernel send a
  // reset that can destroy the answer in flight: shut our side, discard input for a while.
  void linger() {
    if (!session_.lingerBeforeClose()) return;
    ::shutdown(fd_.get(), SHUT_WR);
    auto deadline = SteadyClock::now() + kLingerTime;
    char sink[4096];
    while (control_.waitFor(fd_.get(), POLLIN, deadline, false) == Wake::Ready) {
      net::IoResult r = net::receiveSome(fd_.get(), sink, sizeof sink);
      if (r.error != 0 && r.error != EAGAIN) return;
      if (r.error == 0 && r.bytes == 0) return;
    }
  }

  ModelControl& control_;
  const config::Config& config_;
  base::UniqueFd fd_;
  protocol::Http1Session session_;
  InputDeadline deadline_;
};

}  // namespace

void serveConnection(ModelControl& control, base::UniqueFd fd, std::string peer) {
  Driver(control, std::move(fd), std::move(peer)).run();
}

}  // namespace learnhttpd::worker
