// SPDX-License-Identifier: MIT
// libFuzzer target: arbitrary bytes as a request-target through decodeTarget.
// Invariants in request_path_invariants.hpp; keep crashers in corpus_target/.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "request_path_invariants.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (const char* violation = learnhttpd::fuzz::checkTarget(bytes)) {
    (void)std::fprintf(stderr, "invariant violated: %s\n", violation);
    std::abort();
  }
  return 0;
}
