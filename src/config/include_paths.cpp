// SPDX-License-Identifier: MIT
#include "config/include_paths.hpp"

#include <glob.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace learnhttpd::config {

std::string directoryOf(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

namespace {

// glob(3) reports a directory it cannot read through a plain function pointer.
thread_local int glob_error = 0;
thread_local std::string glob_error_path;

// A directory that is not there matches nothing (conf.d/*.yaml without conf.d); one that is
// there but cannot be read is an error, not a silent "no match".
int onGlobError(const char* path, int error) {
  if (error == ENOENT || error == ENOTDIR) return 0;
  glob_error = error;
  glob_error_path = path;
  return 1;
}

}  // namespace

std::vector<std::string> includedFiles(const std::string& pattern, const std::string& directory) {
  const std::string path = pattern.front() == '/' ? pattern : directory + "/" + pattern;
  if (path.find_first_of("*?[") == std::string::npos) return {path};
  glob_t found{};
  glob_error = 0;
  const int result = ::glob(path.c_str(), 0, onGlobError, &found);
  std::vector<std::string> files;
  if (result == 0) {
    files.assign(found.gl_pathv, found.gl_pathv + found.gl_pathc);
  }
  ::globfree(&found);
  if (result == GLOB_ABORTED) {
    throw std::runtime_error("cannot read " + glob_error_path + ": " + std::strerror(glob_error));
  }
  if (result == GLOB_NOSPACE) throw std::runtime_error("out of memory matching '" + path + "'");
  // The locale may order differently; the order of includes must not depend on it.
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace learnhttpd::config
