// SPDX-License-Identifier: MIT
#pragma once
// CredentialChecks: basic auth's verdict on a request's credentials, per worker. A password is
// verified by libcrypt (crypt_r) against the user's hash, which costs tens of milliseconds by
// design (bcrypt, SHA-crypt, yescrypt). So that this neither stalls an event loop nor makes
// wrong passwords a cheap way to burn CPU:
//  - a verified credential is remembered for kVerifiedFor under an HMAC-SHA-256 of file, user
//    and password with a key drawn per worker (never the password itself), so the requests of
//    a logged-in browser cost one hash each;
//  - a credential found wrong is answered 401 at once for kDeniedFor (browsers retry);
//  - a client (its address) with kMaxFailures wrong credentials within kFailureWindow gets 429
//    without any verification until the window ends;
//  - an unknown user is verified against a decoy hash of the same kind, so it costs and takes
//    what a wrong password does; the result is compared in constant time;
//  - with verifyOffThread(), check() hands the work to a thread of its own and answers Pending:
//    the caller asks again once wakeFd() is readable (at most kMaxQueued at once, else Busy).
// Bounds: at most kMaxEntries remembered credentials and clients (expired ones go first; past
// that the table is emptied, which only costs hashes again).
//
// Threads: check() may be called from any thread (one mutex); verifyOffThread() before the
// first check(). Build it in the worker process after fork (its thread is started on first need).

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "base/unique_fd.hpp"
#include "serve/htpasswd.hpp"
#include "serve/keyed_hash.hpp"

namespace learnhttpd::serve {

class CredentialChecks {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr Clock::duration kVerifiedFor = std::chrono::minutes(5);
  static constexpr Clock::duration kDeniedFor = std::chrono::seconds(10);
  static constexpr Clock::duration kFailureWindow = std::chrono::seconds(60);
  static constexpr unsigned kMaxFailures = 10;
  static constexpr std::size_t kMaxEntries = 4096;
  static constexpr std::size_t kMaxQueued = 64;

  CredentialChecks();
  ~CredentialChecks();
  CredentialChecks(const CredentialChecks&) = delete;
  CredentialChecks& operator=(const CredentialChecks&) = delete;

  // From now on check(..., may_defer = true) verifies on a thread of this object and answers
  // Pending; false when the wake-up descriptor cannot be made (check() then verifies inline).
  bool verifyOffThread();
  // Readable once a verification handed off has finished; -1 unless verifyOffThread().
  int wakeFd() const noexcept { return wake_.get(); }
  // Empties wakeFd() (call when it was readable, before asking again).
  void drainWakeups() noexcept;

  enum class Verdict {
    Allowed,  // the credentials are a user's of `file`, and the password is theirs
    Denied,   // none, malformed, an unknown user or a wrong password: 401
    TooMany,  // this client gave too many wrong ones lately: 429, nothing verified
    Pending,  // being verified off this thread: ask again after wakeFd() is readable
    Busy,     // too many verifications queued already: 503
  };
  // The verdict on `authorization` (the raw Authorization value) for `file`, from `client`
  // (its address; empty: unknown, not bounded). `may_defer`: Pending is an answer the caller
  // can take (else the check runs here, now).
  Verdict check(const Htpasswd& file, std::string_view authorization, std::string_view client,
                bool may_defer);
  // Passwords verified with crypt_r so far (what the cache and the bounds save; for tests).
  std::uint64_t verifications() const noexcept {
    return verifications_.load(std::memory_order_relaxed);
  }

 private:
  using Key = Digest;
  struct KeyHash {
    std::size_t operator()(const Key& key) const noexcept;
  };
  struct Failures {
    unsigned count = 0;
    Clock::time_point since;
  };
  struct Job {
    Key key;
    std::string hash;
    std::string password;
    std::string client;
    bool known = false;
  };

  void record(const Key& key, bool ok, const std::string& client, Clock::time_point now);
  void prune(Clock::time_point now);
  void run();

  HmacSha256 mac_;
  std::mutex mutex_;
  std::unordered_map<Key, Clock::time_point, KeyHash> verified_;  // -> until
  std::unordered_map<Key, Clock::time_point, KeyHash> denied_;    // -> until
  std::unordered_map<std::string, Failures> failures_;            // by client address
  std::unordered_map<Key, bool, KeyHash> pending_;                // queued or being verified
  std::deque<Job> queue_;
  std::condition_variable wanted_;
  bool stopping_ = false;
  base::UniqueFd wake_;  // an eventfd; invalid until verifyOffThread()
  std::thread thread_;   // started by the first job
  std::atomic<std::uint64_t> verifications_{0};
};

// Whether `password` is the one `hash` was made from (crypt_r; the result compared in constant
// time). Exposed for the tests.
bool passwordMatches(const std::string& password, const std::string& hash);

}  // namespace learnhttpd::serve
