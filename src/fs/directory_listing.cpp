// SPDX-License-Identifier: MIT
#include "fs/directory_listing.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "fs/open_beneath.hpp"

namespace learnhttpd::fs {
namespace {

struct CloseDir {
  void operator()(DIR* dir) const noexcept { ::closedir(dir); }
};

Outcome outcomeOf(int err) noexcept {
  switch (err) {
    case ENOENT:
    case ENOTDIR:
    case ENAMETOOLONG:
      return Outcome::NotFound;
    case EACCES:
    case EPERM:
    case ELOOP:
    case EXDEV:
      return Outcome::Forbidden;
    default:
      return Outcome::ServerError;
  }
}

// What a listing says of one name of the directory `dir_fd`, or false to leave it out. A
// symlink is resolved from the root along the path a client would request, by the root's own
// resolver, so it is shown exactly when a request for it would be served from under the root.
bool describeEntry(const DocumentRoot& root, int dir_fd, const std::string& relative_dir,
                   const char* name, DirectoryEntry& entry) {
  struct stat st {};
  if (::fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return false;
  if (S_ISLNK(st.st_mode)) {
    const std::string relative = relative_dir + name;
    base::UniqueFd target(openBeneath(root.fd(), relative.c_str(), root.resolver()));
    if (!target || ::fstat(target.get(), &st) != 0) return false;  // leaves the root, dangling
  }
  if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) return false;
  entry.name = name;
  entry.is_directory = S_ISDIR(st.st_mode);
  entry.size = entry.is_directory ? 0 : static_cast<std::uint64_t>(st.st_size);
  entry.mtime = st.st_mtime;
  return true;
}

}  // namespace

DirectoryListing listDirectory(const DocumentRoot& root, const std::string& decoded_path,
                               std::size_t max_entries) {
  DirectoryListing listing;
  // "a/b/" relative to the root ("" for the root itself, opened as ".").
  const std::string relative_dir = decoded_path.size() > 1 ? decoded_path.substr(1) : "";
  base::UniqueFd fd(
      openBeneath(root.fd(), relative_dir.empty() ? "." : relative_dir.c_str(), root.resolver()));
  if (!fd) {
    listing.outcome = outcomeOf(errno);
    return listing;
  }
  if (::fstat(fd.get(), &listing.st) != 0) {
    listing.outcome = Outcome::ServerError;
    return listing;
  }
  if (!S_ISDIR(listing.st.st_mode)) {
    listing.outcome = Outcome::NotFound;
    return listing;
  }
  const int dir_fd = fd.get();
  std::unique_ptr<DIR, CloseDir> dir(::fdopendir(fd.release()));
  if (!dir) {
    ::close(dir_fd);
    listing.outcome = outcomeOf(errno);
    return listing;
  }
  for (;;) {
    errno = 0;
    const dirent* item = ::readdir(dir.get());
    if (item == nullptr) {
      if (errno != 0) {
        listing.outcome = Outcome::ServerError;
        return listing;
      }
      break;
    }
    if (item->d_name[0] == '.') continue;  // ".", ".." and every hidden name
    DirectoryEntry entry;
    if (!describeEntry(root, dir_fd, relative_dir, item->d_name, entry)) continue;
    if (listing.entries.size() == max_entries) {
      listing.truncated = true;
      break;
    }
    listing.entries.push_back(std::move(entry));
  }
  listing.outcome = Outcome::File;
  return listing;
}

}  // namespace learnhttpd::fs
