// SPDX-License-Identifier: MIT
#pragma once
// Safe mapping of a decoded URL path to a file under the document root.
//
// Every lookup is relative to a directory fd opened once and uses openat2(RESOLVE_BENEATH), so
// no "..", absolute symlink or symlink chain can reach outside the root, whatever the path says.
// Where openat2 is refused (a seccomp filter: ENOSYS/EPERM), open() notices and resolves
// component by component with the same rules instead (fs/open_beneath.hpp).
// The object is immutable after open(); resolve() is safe to call from several threads at once.

#include <sys/stat.h>

#include <optional>
#include <string>

#include "base/unique_fd.hpp"
#include "fs/open_beneath.hpp"

namespace learnhttpd::fs {

enum class Outcome {
  File,         // fd + stat describe a regular file to serve
  AddSlash,     // a directory named without the trailing slash: redirect to path + "/"
  NotFound,     // no such file; also "file.html/" and a directory without an index
  Forbidden,    // permission denied, a symlink that leaves the root, a non-regular file
  NoIndex,      // a directory whose index file is missing (caller picks 403 or 404)
  ServerError,  // anything else (EMFILE, EIO, ...)
};

struct Resolved {
  Outcome outcome = Outcome::NotFound;
  base::UniqueFd fd;      // valid for Outcome::File
  struct stat st {};      // valid for Outcome::File
  bool is_index = false;  // the file is the directory's index (MIME by index name)
};

class DocumentRoot {
 public:
  // Opens `path` as the root. Returns an invalid root (see valid()) and sets `error` to a
  // readable reason when it is not an accessible directory. Without `resolver`, probes whether
  // openat2 works and falls back to the Walk resolver when it does not (see notice()).
  static DocumentRoot open(const std::string& path, std::string& error,
                           std::optional<Resolver> resolver = std::nullopt);

  bool valid() const noexcept { return static_cast<bool>(dir_); }
  const std::string& path() const noexcept { return path_; }
  Resolver resolver() const noexcept { return resolver_; }
  // One line for the error log when open() had to fall back from openat2; empty otherwise.
  const std::string& notice() const noexcept { return notice_; }
  // The root's O_PATH directory descriptor (for the open-file cache); owned by this object.
  int fd() const noexcept { return dir_.get(); }

  // `decoded_path` is an absolute, normalised path (http::decodeTarget's output, starting with
  // '/'); `trailing_slash` says whether it named a directory; `index` is the index file name.
  Resolved resolve(const std::string& decoded_path, bool trailing_slash,
                   const std::string& index) const;

 private:
  base::UniqueFd dir_;
  std::string path_;
  Resolver resolver_ = Resolver::Openat2;
  std::string notice_;
};

}  // namespace learnhttpd::fs
