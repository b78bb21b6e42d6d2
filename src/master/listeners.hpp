// SPDX-License-Identifier: MIT
#pragma once
// The master's listening sockets, one per configured address (or the ones systemd passed).
// Workers inherit them on fork.

#include <string>
#include <vector>

#include "base/unique_fd.hpp"
#include "config/config.hpp"

namespace learnhttpd::master {

class Listeners {
 public:
  // Binds every address not bound yet and closes those no longer wanted, so a reload keeps
  // the sockets whose address did not change (no connection is refused meanwhile).
  // On failure returns false with `error` naming the address and the reason; nothing changes.
  bool update(const std::vector<config::ListenAddress>& wanted, std::string& error);

  // Takes over sockets passed by socket activation; update() must not be called afterwards.
  // They speak plain HTTP until speakAs() says otherwise.
  void adopt(const std::vector<int>& fds);
  // For adopted sockets: each one on the port of an "ssl" address of `wanted` speaks TLS (the
  // unit, not the file, chose the addresses). False and `error` when one port is both "ssl" and
  // plain in `wanted`; nothing changes then. At start and on every reload.
  bool speakAs(const std::vector<config::ListenAddress>& wanted, std::string& error);
  bool adopted() const noexcept { return adopted_; }

  // Closes every socket (graceful stop): once the workers have closed their copies too, new
  // connections are refused instead of waiting in a backlog nobody accepts from.
  void closeAll() noexcept {
    bound_.clear();
    fds_.clear();
    tls_fds_.clear();
  }

  // The fds, in configuration order; valid until the next update().
  const std::vector<int>& fds() const noexcept { return fds_; }
  // Those of fds() whose address is marked "ssl" (never an adopted socket).
  const std::vector<int>& tlsFds() const noexcept { return tls_fds_; }

  // What update() would say of `address` ("cannot listen on ...: bind: ..."), found by binding
  // a socket (never listening on it) and closing it; empty when the bind works.
  static std::string tryBind(const config::ListenAddress& address);

  // "127.0.0.1:8080" / "[::1]:8080": the address a socket is really bound to.
  static std::string describe(int fd);

 private:
  struct Bound {
    config::ListenAddress address;
    base::UniqueFd fd;
  };
  std::vector<Bound> bound_;
  std::vector<int> fds_;
  std::vector<int> tls_fds_;
  bool adopted_ = false;
};

}  // namespace learnhttpd::master
