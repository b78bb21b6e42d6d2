// SPDX-License-Identifier: MIT
#pragma once
// Htpasswd: one password file of basic auth (config auth[].htpasswd), "user:hash" a line, as
// htpasswd(1) writes it. Read by the master, as root, at start and on every reload (workers
// inherit the table and never open the file, which may be readable by root alone). Only hashes
// that cost an attacker real work are taken -- bcrypt ($2a$, $2b$, $2y$), SHA-crypt ($5$, $6$)
// and yescrypt ($y$, $gy$), each checked by libcrypt's crypt_checksalt(); plain text, DES,
// MD5-crypt ($1$), Apache's MD5 ($apr1$) and SHA-1 ({SHA}) are refused, naming the line and how
// to make a good one. Immutable after read(): any thread may look users up.

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace learnhttpd::serve {

class Htpasswd {
 public:
  // Reads `path`. False when it cannot be used: `errors` gets one line per problem ("PATH:LINE:
  // ..."); `warnings` what is worth knowing but works (an empty file lets no one in). The last
  // component must not be a symlink and the file must be a regular file of at most 1 MiB.
  static bool read(const std::string& path, Htpasswd& out, std::vector<std::string>& errors,
                   std::vector<std::string>& warnings);

  // The hash of `user`, or nullptr.
  const std::string* hashOf(std::string_view user) const noexcept;
  // A hash of the same kind as the users' (the first one's), to verify an unknown user's
  // password against, so that a wrong user costs what a wrong password does.
  const std::string& decoy() const noexcept { return decoy_; }
  std::size_t size() const noexcept { return users_.size(); }

  // "a bcrypt hash", or an error naming the line's kind of hash ("an Apache MD5 ($apr1$)
  // hash ...") when it is refused. Exposed for the tests.
  static bool acceptedHash(std::string_view hash, std::string& why);

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept {
      return std::hash<std::string_view>{}(text);
    }
  };
  std::unordered_map<std::string, std::string, Hash, std::equal_to<>> users_;
  std::string decoy_;
};

}  // namespace learnhttpd::serve
