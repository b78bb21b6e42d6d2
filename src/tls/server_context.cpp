// SPDX-License-Identifier: MIT
#include "tls/server_context.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <ctime>
#include <fstream>
#include <optional>
#include <sstream>

namespace learnhttpd::tls {
namespace {

// TLS 1.2 suites with forward secrecy and AEAD only (TLS 1.3's own list is already that).
constexpr const char* kCiphers12 =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr const char* kGroups = "X25519:P-256:P-384";
constexpr unsigned char kSessionContext[] = "learnhttpd";
// ALPN wire format: each name after its length, in the server's order of preference.
constexpr unsigned char kAlpnHttp1[] = "\x08http/1.1";
constexpr unsigned char kAlpnHttp2[] = "\x02h2\x08http/1.1";

struct AlpnList {
  const unsigned char* names;
  unsigned int length;
};
constexpr AlpnList kOfferHttp1{kAlpnHttp1, sizeof kAlpnHttp1 - 1};
constexpr AlpnList kOfferHttp2{kAlpnHttp2, sizeof kAlpnHttp2 - 1};

// The reason of the queued OpenSSL errors — a system error (errno) if one is among them, else
// the newest — and an empty queue afterwards.
std::string openSslReason() {
  std::string text = "unknown error";
  bool system = false;
  for (unsigned long code = ERR_get_error(); code != 0; code = ERR_get_error()) {
    if (system) continue;
    if (ERR_SYSTEM_ERROR(code)) {
      text = std::strerror(ERR_GET_REASON(code));
      system = true;
    } else if (const char* reason = ERR_reason_error_string(code); reason != nullptr) {
      text = reason;
    }
  }
  return text;
}

// OpenSSL compares the key with the certificate as it loads the key.
bool keyMismatch() {
  unsigned long code = ERR_peek_last_error();
  return ERR_GET_LIB(code) == ERR_LIB_X509 && ERR_GET_REASON(code) == X509_R_KEY_VALUES_MISMATCH;
}

// ALPN (RFC 7301): h2 when HTTP/2 is on and the client offers it (our preference decides, not
// the order of the client's list: SSL_select_next_proto walks ours), else http/1.1. A client
// that offers neither gets the fatal no_application_protocol alert RFC 7301 section 3.2 asks
// for (a client that sends no ALPN at all never gets here, and is served).
int selectAlpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
               unsigned int inlen, void* arg) {
  const auto* offer = static_cast<const AlpnList*>(arg);
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, outlen, offer->names, offer->length, in, inlen) !=
      OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  }
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

// RFC 5077 tickets sealed with the master's keys: AES-256-CBC plus HMAC-SHA256.
int ticketKey(SSL* ssl, unsigned char* name, unsigned char* iv, EVP_CIPHER_CTX* cipher,
              EVP_MAC_CTX* mac, int encrypt) {
  const auto* keys = static_cast<const TicketKeys*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
  const TicketKeys::Key* key = nullptr;
  if (encrypt != 0) {
    key = &keys->current();
    if (!key->valid || RAND_bytes(iv, EVP_MAX_IV_LENGTH) != 1) return -1;
    std::memcpy(name, key->name.data(), key->name.size());
  } else {
    key = keys->find(name);
    if (key == nullptr) return 0;  // unknown (or forged) name: a full handshake
  }
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_octet_string(
                             "key", const_cast<unsigned char*>(key->hmac.data()), key->hmac.size()),
                         OSSL_PARAM_construct_utf8_string("digest", digest, 0),
                         OSSL_PARAM_construct_end()};
  if (EVP_MAC_CTX_set_params(mac, params) != 1) return -1;
  int ok = encrypt != 0
               ? EVP_EncryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key->aes.data(), iv)
               : EVP_DecryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key->aes.data(), iv);
  if (ok != 1) return -1;
  // A ticket under the previous key still resumes, and the client gets one under the current.
  return encrypt == 0 && key != &keys->current() ? 2 : 1;
}

bool configure(SSL_CTX* ctx, const LoadOptions& options) {
  const bool kernel_tls = options.kernel_tls;
  SSL_CTX_set_options(
      ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION);
  // After the handshake OpenSSL then asks the kernel to encrypt the records it sends (where it
  // takes the cipher), and SSL_sendfile() can send a file without copying it (TlsStream).
  if (kernel_tls) SSL_CTX_set_options(ctx, SSL_OP_ENABLE_KTLS);
  // Partial writes let a full socket buffer end a write early; the buffer it wrote from may
  // be a reallocated copy on the retry; idle connections give their TLS buffers back.
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                            SSL_MODE_RELEASE_BUFFERS);
  // Resumption is by tickets only, so it works the same whichever worker a client reaches.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  // RFC 9113 section 9.2 asks of TLS under HTTP/2 what the settings above give every
  // connection anyway: TLS 1.2 or later, SNI, no compression, no renegotiation, and only
  // ephemeral key exchange with AEAD suites (kCiphers12).
  SSL_CTX_set_alpn_select_cb(ctx, selectAlpn,
                             const_cast<AlpnList*>(options.http2 ? &kOfferHttp2 : &kOfferHttp1));
  return SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) == 1 &&
         SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) == 1 &&
         SSL_CTX_set_cipher_list(ctx, kCiphers12) == 1 &&
         SSL_CTX_set1_groups_list(ctx, kGroups) == 1 &&
         SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof kSessionContext - 1) == 1 &&
         SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, ticketKey) == 1;
}

std::string subjectOf(X509* cert) {
  std::string out;
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr) return out;
  if (X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253) >= 0) {
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    if (n > 0) out.assign(data, static_cast<std::size_t>(n));
  }
  BIO_free(bio);
  return out;
}

std::string serialOf(X509* cert) {
  std::string out;
  BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
  if (bn == nullptr) return out;
  if (char* hex = BN_bn2hex(bn); hex != nullptr) {
    out = hex;
    OPENSSL_free(hex);
  }
  BN_free(bn);
  return out;
}

std::int64_t notAfterOf(X509* cert) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) != 1) return 0;
  return static_cast<std::int64_t>(::timegm(&tm));
}

// The DNS names of the subjectAltName: what clients check the certificate against (RFC 6125;
// the subject's CN is not consulted by current clients, so it selects nothing here either).
std::vector<std::string> dnsNamesOf(X509* cert) {
  std::vector<std::string> names;
  auto* sans =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (sans == nullptr) return names;
  for (int i = 0; i < sk_GENERAL_NAME_num(sans); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(sans, i);
    if (name->type != GEN_DNS) continue;
    const ASN1_IA5STRING* text = name->d.dNSName;
    names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
                       static_cast<std::size_t>(ASN1_STRING_length(text)));
  }
  GENERAL_NAMES_free(sans);
  return names;
}

// The host_name of the ClientHello's server_name extension (RFC 6066 section 3), copied into
// `buf`; empty when there is none or it is malformed (OpenSSL then refuses the hello itself).
std::string_view sniOf(SSL* ssl, std::array<char, ServerNames::kMaxName>& buf) {
  const unsigned char* ext = nullptr;
  std::size_t len = 0;
  if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_server_name, &ext, &len) != 1 || len < 2) {
    return {};
  }
  const std::size_t list = (std::size_t{ext[0]} << 8) | ext[1];
  if (list + 2 != len) return {};
  for (std::size_t at = 2; at + 3 <= len;) {
    const unsigned char type = ext[at];
    const std::size_t name = (std::size_t{ext[at + 1]} << 8) | ext[at + 2];
    at += 3;
    if (at + name > len) return {};
    if (type == TLSEXT_NAMETYPE_host_name) {
      if (name == 0 || name > buf.size()) return {};
      std::memcpy(buf.data(), ext + at, name);
      return {buf.data(), name};
    }
    at += name;
  }
  return {};
}

// A session id context per name asked for: a digest of the name in lower case (none: ""),
// the same in every worker and generation (a ticket from before a reload resumes), different
// for every name.
std::array<unsigned char, ServerContext::kSessionContextLength> sessionContextOf(
    std::string_view name) {
  std::string text = "learnhttpd sni\n";
  for (char c : name) text.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  std::array<unsigned char, ServerContext::kSessionContextLength> out{};
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), out.data(), &len, EVP_sha256(), nullptr);
  return out;
}

// SNI, at the very start of the handshake (before a session is looked at or a certificate
// sent): moves the connection to the context of the pair the name selects, and gives it a
// session id context of the name, so that a ticket made under another name fails OpenSSL's
// context check and the client gets a full handshake (RFC 6066 section 3: a server MUST NOT
// resume a session for a different name; nginx's CVE-2025-23419 was a session of one virtual
// server resumed for another). The connection keeps the default context's options, ciphers
// and ticket keys (every context has the same). May run twice (after a HelloRetryRequest),
// with the same result.
int onClientHello(SSL* ssl, int* alert, void* arg) {
  const auto* self = static_cast<const ServerContext*>(arg);
  std::array<char, ServerNames::kMaxName> buf{};
  const std::string_view name = sniOf(ssl, buf);
  SSL_CTX* ctx = self->context(self->choose(name).pair);
  const auto sid = sessionContextOf(name);
  if ((ctx != SSL_get_SSL_CTX(ssl) && SSL_set_SSL_CTX(ssl, ctx) == nullptr) ||
      SSL_set_session_id_context(ssl, sid.data(), sid.size()) != 1) {
    *alert = SSL_AD_INTERNAL_ERROR;
    return SSL_CLIENT_HELLO_ERROR;
  }
  return SSL_CLIENT_HELLO_SUCCESS;
}

// The name was taken into account (onClientHello): acknowledge it, so that OpenSSL keeps it
// with a TLS 1.2 session (SSL_get_servername() names it again when the session resumes).
int acknowledgeName(SSL* ssl, int*, void*) {
  return SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name) != nullptr ? SSL_TLSEXT_ERR_OK
                                                                       : SSL_TLSEXT_ERR_NOACK;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

// One pair into a new context of its own. nullptr and `error` (naming the setting and the
// file) when it cannot be used.
struct CtxFree {
  void operator()(SSL_CTX* ctx) const noexcept { SSL_CTX_free(ctx); }
};
using CtxPtr = std::unique_ptr<SSL_CTX, CtxFree>;

CtxPtr loadPair(const CertificateFiles& pair, const TicketKeys& keys, const LoadOptions& options,
                std::string& error) {
  ERR_clear_error();
  CtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx || !configure(ctx.get(), options)) {
    error = pair.setting + ": cannot set up OpenSSL: " + openSslReason();
    return nullptr;
  }
  SSL_CTX_set_app_data(ctx.get(), const_cast<TicketKeys*>(&keys));
  const std::string cert_key = pair.setting + ".certificate " + pair.certificate;
  const std::string key_key = pair.setting + ".key " + pair.key;
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), pair.certificate.c_str()) != 1) {
    error = cert_key + ": cannot load the certificate chain: " + openSslReason();
    return nullptr;
  }
  if (SSL_CTX_use_PrivateKey_file(ctx.get(), pair.key.c_str(), SSL_FILETYPE_PEM) != 1) {
    bool mismatch = keyMismatch();
    std::string reason = openSslReason();
    error = mismatch ? key_key + " does not match the certificate in " + pair.certificate
                     : key_key + ": cannot load the private key: " + reason;
    return nullptr;
  }
  if (SSL_CTX_check_private_key(ctx.get()) != 1) {
    ERR_clear_error();
    error = key_key + " does not match the certificate in " + pair.certificate;
    return nullptr;
  }
  return ctx;
}

// The leaf's expiry against `options.now`: expired is an error, expiring within `warn_days`
// a warning.
void checkExpiry(const CertificateFiles& pair, const CertificateInfo& info,
                 const LoadOptions& options, LoadResult& result) {
  const std::string what = pair.setting + ".certificate " + pair.certificate;
  const std::int64_t until = info.not_after;
  if (until <= options.now) {
    result.errors.push_back(what + " expired on " + dateText(until));
  } else if (until - options.now < std::int64_t{options.warn_days} * 86400) {
    result.warnings.push_back(what + " expires on " + dateText(until) + ", within " +
                              std::to_string(options.warn_days) + " days");
  }
}

}  // namespace

std::string dateText(std::int64_t when) {
  auto t = static_cast<std::time_t>(when);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[64];
  if (std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0) return "?";
  return buf;
}

void ServerContext::Free::operator()(ssl_ctx_st* ctx) const noexcept {
  SSL_CTX_free(ctx);
}

ServerContext::~ServerContext() = default;

LoadResult ServerContext::load(std::span<const CertificateFiles> pairs,
                               std::span<const SiteCertificates> sites, const TicketKeys& keys,
                               const LoadOptions& options) {
  LoadResult result;
  auto self = std::make_unique<ServerContext>(Token{});
  // A pair that is a site's first is selected by the site's names, whatever its DNS names.
  std::vector<bool> first_of_site(pairs.size(), false);
  bool named_sites = false;
  for (const SiteCertificates& site : sites) {
    if (!site.pairs.empty() && site.pairs.front() < pairs.size() && !site.names.empty()) {
      first_of_site[site.pairs.front()] = true;
      named_sites = true;
    }
  }
  for (std::size_t index = 0; index < pairs.size(); ++index) {
    const CertificateFiles& pair = pairs[index];
    std::string error;
    Entry entry;
    entry.ctx.reset(loadPair(pair, keys, options, error).release());
    if (!entry.ctx) {
      result.errors.push_back(std::move(error));
      continue;
    }
    X509* leaf = SSL_CTX_get0_certificate(entry.ctx.get());
    entry.info = {pair.certificate, subjectOf(leaf), serialOf(leaf), notAfterOf(leaf),
                  dnsNamesOf(leaf)};
    checkExpiry(pair, entry.info, options, result);
    bool selectable = first_of_site[index];
    for (const std::string& name : entry.info.names) {
      ServerNames::Added added = self->names_.add(name, index);
      selectable = selectable || added.outcome == ServerNames::Outcome::Added;
      // With sites, a site's names choose among its own pairs first: two sites may well each
      // have a certificate for the same wildcard.
      if (added.outcome == ServerNames::Outcome::Taken && !named_sites) {
        result.warnings.push_back(pair.setting + ".certificate " + pair.certificate + ": " + name +
                                  " is already served by " + pairs[added.holder].setting +
                                  ".certificate " + pairs[added.holder].certificate);
      }
    }
    // The default needs no name; another pair that no name selects would never be served.
    if (index > 0 && !selectable) {
      result.errors.push_back(
          pair.setting + ".certificate " + pair.certificate +
          (entry.info.names.empty()
               ? " has no DNS name in its subjectAltName, so no SNI name selects it"
               : " has no DNS name of its own (" + joined(entry.info.names) +
                     "), so no SNI name selects it"));
    }
    self->entries_.push_back(std::move(entry));
  }
  if (pairs.empty()) result.errors.emplace_back("tls: no certificate");
  if (!result.errors.empty()) return result;
  self->addSites(pairs, sites, result);
  for (const Entry& entry : self->entries_) {
    // What SSL_CTX_set_tlsext_servername_callback expands to, without its C-style cast.
    SSL_CTX_callback_ctrl(entry.ctx.get(), SSL_CTRL_SET_TLSEXT_SERVERNAME_CB,
                          reinterpret_cast<void (*)()>(acknowledgeName));
  }
  SSL_CTX_set_client_hello_cb(self->native(), onClientHello, self.get());
  result.context = std::move(self);
  return result;
}

void ServerContext::addSites(std::span<const CertificateFiles> pairs,
                             std::span<const SiteCertificates> sites, LoadResult& result) {
  if (sites.empty()) {
    sites_.emplace_back();  // one site of every pair, selected by no name
    return;
  }
  for (std::size_t i = 0; i < sites.size(); ++i) {
    const SiteCertificates& site = sites[i];
    Site& added = sites_.emplace_back();
    added.first_pair = site.pairs.empty() ? 0 : site.pairs.front();
    if (site.is_default) default_site_ = i;
    for (std::size_t pair : site.pairs) {
      for (const std::string& name : entries_[pair].info.names) added.names.add(name, pair);
    }
    for (const std::string& name : site.names) {
      site_names_.add(name, i);
      // A client checks the certificate against the name it asked for.
      const bool covered =
          name.starts_with("*.")
              ? std::any_of(site.pairs.begin(), site.pairs.end(),
                            [&](std::size_t pair) {
                              const auto& dns = entries_[pair].info.names;
                              return std::any_of(dns.begin(), dns.end(), [&](const auto& d) {
                                return ServerNames::sameName(d, name);
                              });
                            })
              : added.names.find(name).has_value();
      if (!covered && !site.pairs.empty()) {
        result.warnings.push_back(pairs[site.pairs.front()].setting + ".certificate " +
                                  pairs[site.pairs.front()].certificate + ": the site's name " +
                                  name + " is not one of its DNS names; clients will refuse it");
      }
    }
  }
}

ServerContext::Choice ServerContext::choose(std::string_view server_name) const noexcept {
  // "example.org." is the fully qualified spelling of "example.org": the same name.
  if (server_name.ends_with('.')) server_name.remove_suffix(1);
  Choice choice;
  choice.site = default_site_;
  if (server_name.empty()) {
    choice.pair = sites_[default_site_].first_pair;
    return choice;
  }
  if (std::optional<std::size_t> site = site_names_.find(server_name)) {
    choice.site = *site;
    const std::optional<std::size_t> pair = sites_[*site].names.find(server_name);
    choice.pair = pair ? *pair : sites_[*site].first_pair;
    choice.covered = pair.has_value();
    return choice;
  }
  const std::optional<std::size_t> pair = names_.find(server_name);
  choice.pair = pair ? *pair : sites_[default_site_].first_pair;
  choice.covered = pair.has_value();
  return choice;
}

KernelTls kernelTls() {
#ifdef OPENSSL_NO_KTLS
  return {false,
          "kernel TLS is not used: this OpenSSL was built without it (OPENSSL_NO_KTLS); file "
          "bodies over TLS are read and encrypted in user space"};
#else
  // Only a loaded module is listed. Workers cannot load it (that needs CAP_NET_ADMIN), so an
  // unlisted "tls" stays unused even when the module exists: `modprobe tls` before starting.
  std::ifstream ulp("/proc/sys/net/ipv4/tcp_available_ulp");
  std::string names;
  std::getline(ulp, names);
  std::istringstream words(names);
  for (std::string word; words >> word;) {
    if (word == "tls") {
      return {true,
              "kernel TLS is available (TCP_ULP tls) and enabled: on connections whose cipher "
              "the kernel takes, file bodies go by SSL_sendfile"};
    }
  }
  return {false,
          "kernel TLS is not available (no tls in /proc/sys/net/ipv4/tcp_available_ulp; "
          "modprobe tls): file bodies over TLS are read and encrypted in user space"};
#endif
}

}  // namespace learnhttpd::tls
