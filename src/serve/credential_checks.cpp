// SPDX-License-Identifier: MIT
#include "serve/credential_checks.hpp"

#include <crypt.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <unistd.h>

#include <cstring>
#include <memory>

#include "http/basic_auth.hpp"

namespace learnhttpd::serve {
namespace {

std::string randomKey() {
  std::array<char, 32> bytes{};
  std::size_t got = 0;
  while (got < bytes.size()) {
    const ssize_t n = ::getrandom(bytes.data() + got, bytes.size() - got, 0);
    if (n > 0) got += static_cast<std::size_t>(n);
    // getrandom() of 32 bytes only fails before the pool is seeded (never after boot) or on
    // EINTR: both are retried.
  }
  return {bytes.data(), bytes.size()};
}

void wipe(std::string& secret) noexcept {
  ::explicit_bzero(secret.data(), secret.size());
  secret.clear();
}

}  // namespace

bool passwordMatches(const std::string& password, const std::string& hash) {
  // crypt_r's state is ~32 KiB: one per thread, kept.
  thread_local std::unique_ptr<crypt_data> data = std::make_unique<crypt_data>();
  const char* out = ::crypt_r(password.c_str(), hash.c_str(), data.get());
  // libxcrypt returns "*0" or "*1" (never the hash) on failure.
  if (out == nullptr || out[0] == '*') return false;
  const bool same = equalInConstantTime(out, hash);
  ::explicit_bzero(data->output, sizeof data->output);
  return same;
}

std::size_t CredentialChecks::KeyHash::operator()(const Key& key) const noexcept {
  std::size_t value = 0;
  std::memcpy(&value, key.data(), sizeof value);  // a MAC's bytes are uniform already
  return value;
}

CredentialChecks::CredentialChecks() : mac_(randomKey()) {}

CredentialChecks::~CredentialChecks() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wanted_.notify_all();
  if (thread_.joinable()) thread_.join();
  for (Job& job : queue_) wipe(job.password);
}

bool CredentialChecks::verifyOffThread() {
  wake_.reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  return static_cast<bool>(wake_);
}

void CredentialChecks::drainWakeups() noexcept {
  std::uint64_t count = 0;
  while (wake_ && ::read(wake_.get(), &count, sizeof count) == sizeof count) {
  }
}

CredentialChecks::Verdict CredentialChecks::check(const Htpasswd& file,
                                                  std::string_view authorization,
                                                  std::string_view client, bool may_defer) {
  std::optional<http::BasicCredentials> credentials = http::parseBasicCredentials(authorization);
  if (!credentials) return Verdict::Denied;
  // The file's address tells it from another file of this generation (they live as long as the
  // worker); the NULs keep "a:b" + "c" apart from "a" + "b:c".
  const auto* id = reinterpret_cast<const char*>(&file);
  const Key key = mac_.mac({std::string_view(reinterpret_cast<const char*>(&id), sizeof id),
                            std::string_view("\0", 1), credentials->user, std::string_view("\0", 1),
                            credentials->password});
  const Clock::time_point now = Clock::now();
  const std::string* hash = file.hashOf(credentials->user);
  Job job{key, hash != nullptr ? *hash : file.decoy(), std::move(credentials->password),
          std::string(client), hash != nullptr};
  {
    std::lock_guard lock(mutex_);
    if (auto it = verified_.find(key); it != verified_.end() && it->second > now) {
      wipe(job.password);
      return Verdict::Allowed;
    }
    if (auto it = denied_.find(key); it != denied_.end() && it->second > now) {
      wipe(job.password);
      return Verdict::Denied;
    }
    if (auto it = failures_.find(job.client); it != failures_.end() &&
                                              it->second.count >= kMaxFailures &&
                                              now - it->second.since < kFailureWindow) {
      wipe(job.password);
      return Verdict::TooMany;
    }
    if (may_defer && wake_) {
      if (pending_.contains(key)) {
        wipe(job.password);
        return Verdict::Pending;
      }
      if (queue_.size() >= kMaxQueued) {
        wipe(job.password);
        return Verdict::Busy;
      }
      pending_.emplace(key, true);
      queue_.push_back(std::move(job));
      if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
      wanted_.notify_one();
      return Verdict::Pending;
    }
  }
  const bool ok = passwordMatches(job.password, job.hash) && job.known;
  verifications_.fetch_add(1, std::memory_order_relaxed);
  wipe(job.password);
  std::lock_guard lock(mutex_);
  record(key, ok, job.client, Clock::now());
  return ok ? Verdict::Allowed : Verdict::Denied;
}

// Under mutex_.
void CredentialChecks::record(const Key& key, bool ok, const std::string& client,
                              Clock::time_point now) {
  prune(now);
  if (ok) {
    verified_[key] = now + kVerifiedFor;
    return;
  }
  denied_[key] = now + kDeniedFor;
  if (client.empty()) return;
  Failures& failures = failures_[client];
  if (failures.count == 0 || now - failures.since >= kFailureWindow) failures = {0, now};
  ++failures.count;
}

// Under mutex_: drops what expired once a table is full; a table still full is emptied.
void CredentialChecks::prune(Clock::time_point now) {
  const auto full = [](const auto& table) { return table.size() >= kMaxEntries; };
  if (full(verified_)) std::erase_if(verified_, [&](const auto& e) { return e.second <= now; });
  if (full(denied_)) std::erase_if(denied_, [&](const auto& e) { return e.second <= now; });
  if (full(failures_)) {
    std::erase_if(failures_, [&](const auto& e) { return now - e.second.since >= kFailureWindow; });
  }
  if (full(verified_)) verified_.clear();
  if (full(denied_)) denied_.clear();
  if (full(failures_)) failures_.clear();
}

void CredentialChecks::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wanted_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    Job job = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    const bool ok = passwordMatches(job.password, job.hash) && job.known;
    verifications_.fetch_add(1, std::memory_order_relaxed);
    wipe(job.password);
    lock.lock();
    record(job.key, ok, job.client, Clock::now());
    pending_.erase(job.key);
    const std::uint64_t one = 1;
    if (::write(wake_.get(), &one, sizeof one) < 0) {
      // EAGAIN: the counter is already at its maximum, so the loop wakes anyway.
    }
  }
}

}  // namespace learnhttpd::serve
