// SPDX-License-Identifier: MIT
// libFuzzer target: arbitrary client bytes through Http1Session, over a socketpair, against a
// small fixture tree with a secret file outside the root. The first byte picks how the bytes
// are fed (chunk size, graceful stop). Invariants in session_invariants.hpp; keep crashers in
// corpus_session/.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "session_invariants.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // One fixture for the whole run (removed at exit): building the tree per input would
  // dominate the time.
  static learnhttpd::fuzz::SessionWorld world;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (const char* violation = learnhttpd::fuzz::checkSessionBytes(world.context, bytes)) {
    (void)std::fprintf(stderr, "invariant violated: %s\n", violation);
    std::abort();
  }
  return 0;
}
