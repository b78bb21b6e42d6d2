// SPDX-License-Identifier: MIT
#pragma once
// TicketKeys: the keys that encrypt TLS session tickets, created by the master in memory
// (never on disk) before it forks, so that every worker of every generation shares them and a
// client resumes its session whichever worker accepts it. A reload rotates them: new tickets
// use a fresh key, tickets issued under the previous one are still accepted (and renewed).
//
// Threads: the master creates and rotates; workers only read their inherited copy, from any
// of their threads (the keys never change in a worker).

#include <array>
#include <cstdint>

namespace learnhttpd::tls {

class TicketKeys {
 public:
  struct Key {
    std::array<unsigned char, 16> name{};
    std::array<unsigned char, 32> aes{};   // AES-256-CBC
    std::array<unsigned char, 32> hmac{};  // HMAC-SHA256
    bool valid = false;
  };

  // Fills the current key from the system's random generator; false when it failed.
  bool create();
  // The current key becomes the previous one; a new current key is drawn.
  bool rotate();

  const Key& current() const noexcept { return current_; }
  // The key whose name is `name` (current or previous), or nullptr.
  const Key* find(const unsigned char* name) const noexcept;

 private:
  Key current_;
  Key previous_;
};

}  // namespace learnhttpd::tls
