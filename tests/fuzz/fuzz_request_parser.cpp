// SPDX-License-Identifier: MIT
// libFuzzer target: arbitrary bytes through the request parser and the target decoder.
// Build with clang and -DLEARNHTTPD_FUZZ=ON; run e.g.
//   fuzz_request_parser -max_total_time=30 <scratch-dir> <tests/fuzz/corpus>
// Crashing inputs worth keeping go into tests/fuzz/corpus/ so the unit tests replay them.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "parser_invariants.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (const char* violation = learnhttpd::fuzz::checkAll(bytes)) {
    std::fprintf(stderr, "invariant violated: %s\n", violation);
    std::abort();
  }
  return 0;
}
