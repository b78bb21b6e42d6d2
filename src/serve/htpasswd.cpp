// SPDX-License-Identifier: MIT
#include "serve/htpasswd.hpp"

#include <crypt.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "base/unique_fd.hpp"

namespace learnhttpd::serve {
namespace {

constexpr std::size_t kMaxFile = std::size_t{1} << 20;
// A bcrypt hash of a random password nobody knows: the decoy of a file with no users.
constexpr std::string_view kEmptyDecoy =
    "$2b$10$zSPkTRhtS7dqK1yvBqFN5u1II3m5Ceb6gSWkg8MfGxxtJ7Az9VV5S";

constexpr std::string_view kRemake = "; make it again with htpasswd -B (bcrypt)";

bool readAll(const std::string& path, std::string& text, std::string& error) {
  // O_NOFOLLOW: the master is root, and the path's last component may be in a folder someone
  // else can write; a symlink there is refused rather than followed.
  base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  if (!fd) {
    error = path + ": cannot read: " +
            (errno == ELOOP ? std::string("it is a symlink; name the file itself")
                            : std::string(std::strerror(errno)));
    return false;
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    error = path + ": not a regular file";
    return false;
  }
  if (static_cast<std::size_t>(st.st_size) > kMaxFile) {
    error = path + ": larger than 1 MiB";
    return false;
  }
  std::array<char, 16384> chunk{};
  for (;;) {
    const ssize_t got = ::read(fd.get(), chunk.data(), chunk.size());
    if (got == 0) return true;
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      error = path + ": cannot read: " + std::strerror(errno);
      return false;
    }
    text.append(chunk.data(), static_cast<std::size_t>(got));
    if (text.size() > kMaxFile) {
      error = path + ": larger than 1 MiB";
      return false;
    }
  }
}

bool printableUser(std::string_view user) {
  for (char c : user) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) return false;
  }
  return !user.empty();
}

}  // namespace

bool Htpasswd::acceptedHash(std::string_view hash, std::string& why) {
  const auto starts = [&](std::string_view prefix) { return hash.starts_with(prefix); };
  const bool kind_ok = starts("$2a$") || starts("$2b$") || starts("$2y$") || starts("$5$") ||
                       starts("$6$") || starts("$y$") || starts("$gy$");
  if (!kind_ok) {
    if (starts("$apr1$")) {
      why = "an Apache MD5 ($apr1$) hash is too cheap to guess against";
    } else if (starts("$1$")) {
      why = "an MD5-crypt ($1$) hash is too cheap to guess against";
    } else if (starts("{SHA}")) {
      why = "a SHA-1 ({SHA}) hash is too cheap to guess against";
    } else if (hash.size() == 13 && !starts("$")) {
      why = "a DES crypt hash is too cheap to guess against (and keeps only 8 characters)";
    } else if (!starts("$")) {
      why = "a plain-text password is not a hash";
    } else {
      why = "a hash of a kind this server does not take (bcrypt, SHA-crypt and yescrypt are)";
    }
    why += kRemake;
    return false;
  }
  // crypt_checksalt() looks at the setting (method, cost, salt); the digest after the last '$'
  // must also have its method's length, or the line was cut short.
  const std::string setting(hash);
  const std::string_view digest = hash.substr(hash.rfind('$') + 1);
  const auto alphabet = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '/';
  };
  std::size_t length = 43;  // SHA-256-crypt, yescrypt
  if (starts("$6$")) length = 86;
  if (starts("$2")) length = 53;  // bcrypt: 22 characters of salt, then 31 of digest
  if (::crypt_checksalt(setting.c_str()) != CRYPT_SALT_OK || digest.size() != length ||
      !std::all_of(digest.begin(), digest.end(), alphabet)) {
    why = "not a valid hash of its kind" + std::string(kRemake);
    return false;
  }
  return true;
}

bool Htpasswd::read(const std::string& path, Htpasswd& out, std::vector<std::string>& errors,
                    std::vector<std::string>& warnings) {
  std::string text;
  std::string error;
  if (!readAll(path, text, error)) {
    errors.push_back(std::move(error));
    return false;
  }
  Htpasswd file;
  const std::size_t errors_before = errors.size();
  std::size_t line_start = 0;
  for (int line = 1; line_start < text.size(); ++line) {
    std::size_t end = text.find('\n', line_start);
    if (end == std::string::npos) end = text.size();
    std::string_view entry(text.data() + line_start, end - line_start);
    line_start = end + 1;
    if (!entry.empty() && entry.back() == '\r') entry.remove_suffix(1);
    if (entry.empty() || entry.front() == '#') continue;
    const std::string where = path + ":" + std::to_string(line) + ": ";
    const std::size_t colon = entry.find(':');
    const std::string_view user = entry.substr(0, colon);
    if (colon == std::string_view::npos || !printableUser(user)) {
      errors.push_back(where + "expected user:hash");
      continue;
    }
    std::string why;
    if (!acceptedHash(entry.substr(colon + 1), why)) {
      std::string refused = where;
      refused += "user '";
      refused.append(user);
      refused += "': ";
      refused += why;
      errors.push_back(std::move(refused));
      continue;
    }
    if (!file.users_.emplace(std::string(user), std::string(entry.substr(colon + 1))).second) {
      errors.push_back(where + "user '" + std::string(user) + "' is listed twice");
    }
  }
  if (errors.size() != errors_before) return false;
  if (file.users_.empty()) warnings.push_back(path + ": no users: nobody can log in");
  file.decoy_ = file.users_.empty() ? std::string(kEmptyDecoy) : file.users_.begin()->second;
  out = std::move(file);
  return true;
}

const std::string* Htpasswd::hashOf(std::string_view user) const noexcept {
  const auto it = users_.find(user);
  return it != users_.end() ? &it->second : nullptr;
}

}  // namespace learnhttpd::serve
