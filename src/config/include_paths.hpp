// SPDX-License-Identifier: MIT
#pragma once
// What one item of `include:` names, as files: internal to config/ (config_loader.cpp).

#include <stdexcept>
#include <string>
#include <vector>

namespace learnhttpd::config {

// The files `pattern` names, relative to `directory` (the including file's) unless absolute.
// A pattern with a glob character (* ? [) gives its matches in byte order, none when nothing
// matches (as nginx's include); a plain path gives itself, whether or not it exists (reading
// it reports a missing one). Throws std::runtime_error (a one-line reason) when a directory
// on the way cannot be read.
std::vector<std::string> includedFiles(const std::string& pattern, const std::string& directory);

// The directory part of `path` ("." when it has none).
std::string directoryOf(const std::string& path);

}  // namespace learnhttpd::config
