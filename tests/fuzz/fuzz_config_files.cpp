// SPDX-License-Identifier: MIT
// libFuzzer target: a main configuration file and the files it may include, through the loader.
// Invariants in config_files_invariants.hpp; keep crashers in corpus_config_files/.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "config_files_invariants.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (const char* violation = learnhttpd::fuzz::checkConfigFiles(bytes)) {
    (void)std::fprintf(stderr, "invariant violated: %s\n", violation);
    std::abort();
  }
  return 0;
}
