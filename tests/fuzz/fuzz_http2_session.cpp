// SPDX-License-Identifier: MIT
// libFuzzer target: arbitrary frames through Http2Session, after the client magic, over a
// socketpair, against the fixture tree of session_invariants.hpp (a secret outside the root,
// dot files inside it). The first byte picks how the bytes are fed (piece size, a graceful stop,
// a timeout at the end, no magic). Invariants in http2_session_invariants.hpp; the seeds
// (corpus_http2/, made by make_corpus_http2.py) are the attacks of the defences' tests.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "http2_session_invariants.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // One fixture for the whole run (removed at exit): building the tree per input would
  // dominate the time.
  static learnhttpd::fuzz::SessionWorld world;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (const char* violation = learnhttpd::fuzz::checkHttp2Bytes(world.context, bytes)) {
    (void)std::fprintf(stderr, "invariant violated: %s\n", violation);
    std::abort();
  }
  return 0;
}
