// SPDX-License-Identifier: MIT
#pragma once
// ServerContext: the OpenSSL contexts of the TLS listeners — one SSL_CTX per certificate
// chain and key, TLS 1.2 and 1.3 only, a modern cipher list, ALPN ("h2" when HTTP/2 is on,
// "http/1.1"), no
// renegotiation, and session tickets under the master's TicketKeys (shared by every
// certificate, so a session resumes whichever certificate served it). The first pair is the
// default; the others are chosen by the client's SNI name (ServerNames) during the handshake.
// Built by the master (as root, before privileges drop and before fork), so workers inherit
// it and never read a key from disk. Read-only after load(): any thread of a worker may create
// connections from it.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "tls/server_names.hpp"
#include "tls/ticket_keys.hpp"

struct ssl_ctx_st;  // OpenSSL's SSL_CTX; only tls/ includes OpenSSL

namespace learnhttpd::tls {

// One certificate chain and key as the configuration names them.
struct CertificateFiles {
  std::string setting;      // its configuration key, for messages: "tls", "tls.certificates[0]"
  std::string certificate;  // PEM chain, leaf first
  std::string key;          // PEM private key
};

// What an operator wants to know about a leaf certificate being served.
struct CertificateInfo {
  std::string file;            // the chain it was read from
  std::string subject;         // one line, OpenSSL's RFC 2253 form
  std::string serial;          // hexadecimal
  std::int64_t not_after = 0;  // Unix time
  std::vector<std::string> names;  // its subjectAltName DNS names, as written
};

struct LoadOptions {
  std::int64_t now = 0;     // Unix time, for the expiry checks
  int warn_days = 14;       // a certificate expiring sooner is a warning
  bool kernel_tls = false;  // let OpenSSL hand record encryption to the kernel (kernelTls())
  bool http2 = false;       // offer "h2" by ALPN, preferred to "http/1.1"
};

class ServerContext;

struct LoadResult {
  std::unique_ptr<ServerContext> context;  // nullptr when `errors` is not empty
  std::vector<std::string> errors;         // each names the setting and the file
  std::vector<std::string> warnings;
};

class ServerContext {
 public:
  // Loads every pair — `pairs[0]` is the default, the others are chosen by SNI — and checks
  // each: the chain and key load and belong together, the leaf has not expired (expiring
  // within `warn_days` is a warning), and a pair chosen by SNI has a DNS name that selects
  // it. All or nothing: when any pair fails, `errors` lists every failure and no context is
  // returned. `keys` must outlive the context (the ticket callback reads them).
  static LoadResult load(std::span<const CertificateFiles> pairs, const TicketKeys& keys,
                         const LoadOptions& options);
  struct Token {  // only load() constructs
   private:
    Token() = default;
    friend class ServerContext;
  };
  explicit ServerContext(Token) {}
  ~ServerContext();
  ServerContext(const ServerContext&) = delete;
  ServerContext& operator=(const ServerContext&) = delete;

  // The default certificate's context: connections start from it (TlsStream::accept).
  ssl_ctx_st* native() const noexcept { return entries_.front().ctx.get(); }
  // The certificates in the order of the configuration, the default first.
  std::size_t size() const noexcept { return entries_.size(); }
  const CertificateInfo& info(std::size_t index = 0) const noexcept { return entries_[index].info; }
  // The context of the certificate a client's SNI name selects (ServerNames); the default's
  // when `server_name` is nullptr or no certificate has it.
  ssl_ctx_st* contextFor(const char* server_name) const noexcept;

 private:
  struct Free {
    void operator()(ssl_ctx_st* ctx) const noexcept;
  };
  struct Entry {
    std::unique_ptr<ssl_ctx_st, Free> ctx;
    CertificateInfo info;
  };
  std::vector<Entry> entries_;
  ServerNames names_;
};

// "2026-11-24 01:00:00 UTC"
std::string dateText(std::int64_t unix_time);

// Kernel TLS (TCP_ULP "tls") on this machine, found once by the master at start-up.
struct KernelTls {
  bool usable = false;  // both the kernel and this OpenSSL can do it: LoadOptions::kernel_tls
  std::string status;   // one line for the start-up log
};
KernelTls kernelTls();

}  // namespace learnhttpd::tls
