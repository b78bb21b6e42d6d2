// SPDX-License-Identifier: MIT
#include "tls/ticket_keys.hpp"

#include <openssl/rand.h>

#include <cstring>

namespace learnhttpd::tls {
namespace {

bool fill(TicketKeys::Key& key) {
  key.valid = RAND_bytes(key.name.data(), static_cast<int>(key.name.size())) == 1 &&
              RAND_bytes(key.aes.data(), static_cast<int>(key.aes.size())) == 1 &&
              RAND_bytes(key.hmac.data(), static_cast<int>(key.hmac.size())) == 1;
  return key.valid;
}

}  // namespace

bool TicketKeys::create() {
  return fill(current_);
}

bool TicketKeys::rotate() {
  Key next;
  if (!fill(next)) return false;  // keep the keys we have
  previous_ = current_;
  current_ = next;
  return true;
}

const TicketKeys::Key* TicketKeys::find(const unsigned char* name) const noexcept {
  for (const Key* key : {&current_, &previous_}) {
    if (key->valid && std::memcmp(key->name.data(), name, key->name.size()) == 0) return key;
  }
  return nullptr;
}

}  // namespace learnhttpd::tls
