// SPDX-License-Identifier: MIT
#pragma once
// The entries of a directory under a document root, for a listing: reached as DocumentRoot
// reaches a file (beneath the root, symlinks only while they stay in it), read once, and
// filtered so that nothing a listing must not show is in the result -- names starting with '.'
// (hidden files, whatever hidden_files says), symlinks whose target leaves the root or does not
// exist, and anything but regular files and directories. At most `max_entries` entries are
// kept, in the order the directory returns them; `truncated` says there were more.
// Thread-safe (no shared state); no logging.

#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

#include "fs/document_root.hpp"

namespace learnhttpd::fs {

struct DirectoryEntry {
  std::string name;  // the name as the directory holds it (any bytes but '/' and NUL)
  bool is_directory = false;
  std::uint64_t size = 0;  // bytes of a file (of its target, for a symlink); 0 for a directory
  std::time_t mtime = 0;   // its modification time (the target's, for a symlink)
};

struct DirectoryListing {
  Outcome outcome = Outcome::NotFound;  // File: listed; NotFound, Forbidden, ServerError
  struct stat st {};                    // the directory's own (its change time, for ETag)
  std::vector<DirectoryEntry> entries;
  bool truncated = false;  // the directory has more entries that would be shown
};

// `decoded_path` names a directory (http::decodeTarget's output, ending with '/').
DirectoryListing listDirectory(const DocumentRoot& root, const std::string& decoded_path,
                               std::size_t max_entries);

}  // namespace learnhttpd::fs
