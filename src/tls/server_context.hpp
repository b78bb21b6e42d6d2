// SPDX-License-Identifier: MIT
#pragma once
// ServerContext: the OpenSSL contexts of the TLS listeners — one SSL_CTX per certificate
// chain and key, TLS 1.2 and 1.3 only, a modern cipher list, ALPN ("h2" when HTTP/2 is on,
// "http/1.1"), no
// renegotiation, and session tickets under the master's TicketKeys (shared by every
// certificate). The first pair is the default; the others are chosen by the client's SNI name
// at the very start of the handshake (the ClientHello callback, before any session is
// resumed): the name selects a site by the site's names, and the site one of its pairs (the
// one whose DNS names cover it, else its first); a name no site has selects a pair by its
// DNS names (ServerNames), else the default. A session resumes only under the name it was
// made for (RFC 6066 section 3: the session id context is the name's), so never for another
// site.
// Built by the master (as root, before privileges drop and before fork), so workers inherit
// it and never read a key from disk. Read-only after load(): any thread of a worker may create
// connections from it.

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
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

// A site as TLS sees it (config sites): the names that select it and the pairs it serves.
struct SiteCertificates {
  std::vector<std::string> names;  // lower case; "*.example.org" is one label
  std::vector<std::size_t> pairs;  // indexes into load()'s `pairs`, its preferred first
  bool is_default = false;         // the site of a name no site has (and of no name)
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
  // within `warn_days` is a warning), and a pair chosen by SNI has a DNS name or a site that
  // selects it; a site's name none of its pairs covers is a warning (clients will refuse the
  // certificate). All or nothing: when any pair fails, `errors` lists every failure and no
  // context is returned. `keys` must outlive the context (the ticket callback reads them).
  // `sites` empty: one site of every pair, with no names (the pairs alone decide).
  static LoadResult load(std::span<const CertificateFiles> pairs,
                         std::span<const SiteCertificates> sites, const TicketKeys& keys,
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
  // What a client's SNI name (empty: none) selects: the site (an index into load()'s `sites`,
  // the default's when none has the name), the pair, and whether the pair's DNS names cover
  // the name (then the connection speaks for exactly those names: RFC 9110 section 15.5.20).
  struct Choice {
    std::size_t site = 0;
    std::size_t pair = 0;
    bool covered = false;
  };
  Choice choose(std::string_view server_name) const noexcept;
  ssl_ctx_st* context(std::size_t pair) const noexcept { return entries_[pair].ctx.get(); }
  static constexpr std::size_t kSessionContextLength = 32;  // SSL_MAX_SID_CTX_LENGTH

 private:
  struct Free {
    void operator()(ssl_ctx_st* ctx) const noexcept;
  };
  struct Entry {
    std::unique_ptr<ssl_ctx_st, Free> ctx;
    CertificateInfo info;
  };
  void addSites(std::span<const CertificateFiles> pairs, std::span<const SiteCertificates> sites,
                LoadResult& result);

  struct Site {
    ServerNames names;  // the DNS names of its pairs -> the pair
    std::size_t first_pair = 0;
  };
  std::vector<Entry> entries_;
  ServerNames names_;       // every pair's DNS names -> the pair
  ServerNames site_names_;  // the sites' names -> the site
  std::vector<Site> sites_;
  std::size_t default_site_ = 0;
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
