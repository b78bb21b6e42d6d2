#pragma once
// ServerContext: one OpenSSL SSL_CTX for the TLS listeners — the certificate chain and its
// private key, TLS 1.2 and 1.3 only, a modern cipher list, ALPN "http/1.1", no renegotiation,
// and session tickets under the master's TicketKeys. Built by the master (as root, before
// privileges drop and before fork), so workers inherit it and never read the key from disk.
// Read-only after load(): any thread of a worker may create connections from it.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tls/ticket_keys.hpp"

struct ssl_ctx_st;  // OpenSSL's SSL_CTX; only tls/ includes OpenSSL

namespace learnhttpd::tls {

// What an operator wants to know about the leaf certificate being served.
struct CertificateInfo {
  std::string subject;         // one line, OpenSSL's RFC 2253 form
  std::string serial;          // hexadecimal
  std::int64_t not_after = 0;  // Unix time
};

class ServerContext {
 public:
  // Loads the PEM chain `certificate` (leaf first) and the PEM `key`, and checks that they
  // belong together. `keys` must outlive the context (the ticket callback reads them).
  // Returns nullptr with `error` naming the file and the reason on failure.
  static std::unique_ptr<ServerContext> load(const std::string& certificate, const std::string& key,
                                             const TicketKeys& keys, std::string& error);
  struct Token {  // only load() constructs
   private:
    Token() = default;
    friend class ServerContext;
  };
  explicit ServerContext(Token) {}
  ~ServerContext();
  ServerContext(const ServerContext&) = delete;
  ServerContext& operator=(const ServerContext&) = delete;

  ssl_ctx_st* native() const noexcept { return ctx_.get(); }
  const CertificateInfo& info() const noexcept { return info_; }

 private:
  struct Free {
    void operator()(ssl_ctx_st* ctx) const noexcept;
  };
  std::unique_ptr<ssl_ctx_st, Free> ctx_;
  CertificateInfo info_;
};

// The leaf's expiry against `now` (Unix time): expired is an error, expiring within
// `warn_days` a warning; each names the file `certificate`.
struct PairCheck {
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
};
PairCheck checkExpiry(const std::string& certificate, const CertificateInfo& info, std::int64_t now,
                      int warn_days = 14);

// The checks of `learnhttpd -t` on one pair: load() as above, then the leaf's expiry against
// `now`, as checkExpiry().
PairCheck checkPair(const std::string& certificate, const std::string& key, std::int64_t now,
                    int warn_days = 14);

// "2026-11-24 01:00:00 UTC"
std::string dateText(std::int64_t unix_time);

// One line about kernel TLS (TCP_ULP "tls") on this machine, for the start-up log. File
// bodies on TLS connections are read and encrypted in user space either way (see
// docs/operations.md).
std::string kernelTlsStatus();

}  // namespace learnhttpd::tls
