// SPDX-License-Identifier: MIT
// libFuzzer target: arbitrary text through the YAML configuration loader.
// Invariants in config_invariants.hpp; keep crashers in corpus_config/.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "config_invariants.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (const char* violation = learnhttpd::fuzz::checkConfigText(text)) {
    (void)std::fprintf(stderr, "invariant violated: %s\n", violation);
    std::abort();
  }
  return 0;
}
