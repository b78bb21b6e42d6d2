// SPDX-License-Identifier: MIT
#include "fs/document_root.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace learnhttpd::fs {
namespace {

// One errno -> outcome table, as nginx does it, so every caller agrees.
Outcome fromErrno(int err) noexcept {
  switch (err) {
    case ENOENT:
    case ENOTDIR:
    case ENAMETOOLONG:
      return Outcome::NotFound;
    case EACCES:
    case EPERM:
    case ELOOP:
    case EXDEV:  // a symlink pointing outside the root
      return Outcome::Forbidden;
    default:
      return Outcome::ServerError;
  }
}

Resolved describe(base::UniqueFd fd, bool is_index) {
  Resolved r;
  if (::fstat(fd.get(), &r.st) != 0) {
    r.outcome = Outcome::ServerError;
    return r;
  }
  r.outcome = S_ISREG(r.st.st_mode) ? Outcome::File : Outcome::Forbidden;
  r.fd = std::move(fd);
  r.is_index = is_index;
  return r;
}

Resolved only(Outcome outcome) {
  Resolved r;
  r.outcome = outcome;
  return r;
}

}  // namespace

DocumentRoot DocumentRoot::open(const std::string& path, std::string& error,
                                std::optional<Resolver> resolver) {
  DocumentRoot root;
  root.dir_.reset(::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root.dir_) {
    error = "document_root " + path + ": " + std::strerror(errno);
    return root;
  }
  root.path_ = path;
  root.resolver_ = resolver ? *resolver : probeOpenat2(root.dir_.get(), root.notice_);
  return root;
}

Resolved DocumentRoot::resolve(const std::string& decoded_path, bool trailing_slash,
                               const std::string& index) const {
  // decoded_path starts with '/'; openat2 wants it relative ("." for the root itself). A
  // trailing slash may stay: the kernel then insists on a directory (ENOTDIR for "a.html/").
  const char* relative = decoded_path.size() > 1 ? decoded_path.c_str() + 1 : ".";
  base::UniqueFd fd(openBeneath(dir_.get(), relative, resolver_));
  if (!fd) return only(fromErrno(errno));
  Resolved target = describe(std::move(fd), false);
  if (target.outcome != Outcome::Forbidden || !S_ISDIR(target.st.st_mode)) {
    // A regular file named with a trailing slash ("/a.html/") does not exist as a directory.
    if (target.outcome == Outcome::File && trailing_slash) return only(Outcome::NotFound);
    return target;
  }
  if (!trailing_slash) return only(Outcome::AddSlash);
  base::UniqueFd index_fd(openBeneath(target.fd.get(), index.c_str(), resolver_));
  if (!index_fd) {
    Outcome o = fromErrno(errno);
    return only(o == Outcome::NotFound ? Outcome::NoIndex : o);
  }
  return describe(std::move(index_fd), true);
}

}  // namespace learnhttpd::fs
