// SPDX-License-Identifier: MIT
#pragma once
// The loader's contract for ANY set of files that include each other: a Config, or one
// ConfigError whose message is one line naming one of the files read, free of raw control
// characters -- whatever the files say, however they include each other (globs, cycles,
// depth, keys set twice across files). The input is split at "\n%%\n" into the main file and
// up to three more: a.yaml, b.yaml and sub/c.yaml beside it, for the main file (or each other)
// to include. Shared by fuzz_config_files and lh_fuzz_corpus_tests.

#include <stdlib.h>

#include <array>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "config/config_loader.hpp"

namespace learnhttpd::fuzz {

inline constexpr std::string_view kFileSeparator = "\n%%\n";

// One folder for the whole process, emptied for each input (never a path the input names).
inline const std::filesystem::path& configFilesDir() {
  static const std::filesystem::path dir = [] {
    std::string tmpl = (std::filesystem::temp_directory_path() / "lh-fuzz-files-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
    return std::filesystem::path(tmpl);
  }();
  return dir;
}

inline const char* checkConfigFiles(std::string_view data) {
  namespace stdfs = std::filesystem;
  const stdfs::path& dir = configFilesDir();
  std::error_code ignored;
  for (const char* name : {"main.yaml", "a.yaml", "b.yaml"}) stdfs::remove(dir / name, ignored);
  stdfs::remove_all(dir / "sub", ignored);
  stdfs::create_directory(dir / "sub", ignored);
  const std::array<stdfs::path, 4> paths = {dir / "main.yaml", dir / "a.yaml", dir / "b.yaml",
                                            dir / "sub" / "c.yaml"};
  for (const stdfs::path& path : paths) {
    const std::size_t cut = data.find(kFileSeparator);
    std::ofstream(path, std::ios::binary) << data.substr(0, cut);
    if (cut == std::string_view::npos) break;
    data.remove_prefix(cut + kFileSeparator.size());
  }
  try {
    (void)config::loadConfigFile(paths[0].string());
  } catch (const config::ConfigError& e) {
    const std::string_view what = e.what();
    if (!what.starts_with(dir.string())) return "ConfigError does not start with a file's name";
    if (what.find('\n') != std::string_view::npos) return "ConfigError spans several lines";
    for (unsigned char c : what) {
      if (c < 0x20 || c == 0x7f) return "ConfigError carries a raw control character";
    }
  } catch (const std::exception&) {
    return "an exception other than ConfigError escaped";
  } catch (...) {
    return "a non-standard exception escaped";
  }
  return nullptr;
}

}  // namespace learnhttpd::fuzz
