#pragma once
// The master's listening sockets, one per configured address. Workers inherit them on fork.

#include <string>
#include <vector>

#include "config/config.hpp"
#include "net/unique_fd.hpp"

namespace learnhttpd::master {

class Listeners {
 public:
  // Binds every address not bound yet and closes those no longer wanted, so a reload keeps
  // the sockets whose address did not change (no connection is refused meanwhile).
  // On failure returns false with `error` naming the address and the reason; nothing changes.
  bool update(const std::vector<config::ListenAddress>& wanted, std::string& error);

  // The fds, in configuration order; valid until the next update().
  const std::vector<int>& fds() const noexcept { return fds_; }

  // "127.0.0.1:8080" / "[::1]:8080" with the real port (after binding port 0).
  static std::string describe(int fd, const config::ListenAddress& address);

 private:
  struct Bound {
    config::ListenAddress address;
    net::UniqueFd fd;
  };
  std::vector<Bound> bound_;
  std::vector<int> fds_;
};

}  // namespace learnhttpd::master
