// SPDX-License-Identifier: MIT
#pragma once
// TlsStream: the TLS side of one accepted connection (an OpenSSL SSL over the socket). The
// socket may be non-blocking: every call returns at once and says what it waits for. Owned
// by the connection's protocol session and used by one thread at a time, like the session.
// OpenSSL's per-thread error queue is left empty after every call.

#include <sys/types.h>

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "tls/server_context.hpp"

struct ssl_st;  // OpenSSL's SSL

namespace learnhttpd::tls {

enum class Handshake {
  Done,
  WantRead,   // wait until the socket is readable, then call handshake() again
  WantWrite,  // wait until the socket is writable, then call handshake() again
  PlainHttp,  // the client spoke plain HTTP to a TLS port: answer it in plain text and close
  Failed,     // anything else (garbage, protocol versions we refuse, a reset): close
};

enum class Io { Ok, WantRead, WantWrite, Closed, Error };

struct IoOutcome {
  Io status = Io::Error;
  std::size_t bytes = 0;  // transferred, when status is Ok
};

class TlsStream {
 public:
  // A server-side stream over the connected socket `fd` (not owned). nullptr when OpenSSL
  // cannot allocate one.
  static std::unique_ptr<TlsStream> accept(const ServerContext& context, int fd);
  ~TlsStream();
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  Handshake handshake();
  bool established() const noexcept { return established_; }
  // Once established(): the SNI name the client asked for (empty: none; after a TLS 1.2
  // resumption, the one the session was made with), and the DNS names of the certificate it
  // selected when they cover that name -- the names this connection speaks for (RFC 9110
  // section 15.5.20); empty when the client named nothing a certificate covers.
  std::string_view serverName() const noexcept { return server_name_; }
  std::span<const std::string> authorityNames() const noexcept { return authority_; }
  // Decrypted application bytes into `buf`; Ok with bytes > 0, or what it waits for.
  IoOutcome read(char* buf, std::size_t len);
  // Encrypts and sends up to `len` bytes; after WantWrite, retry with the same bytes.
  IoOutcome write(const char* buf, std::size_t len);
  // True when the kernel encrypts what this connection sends (kernel TLS, which OpenSSL turns
  // on during the handshake where LoadOptions::kernel_tls allowed it and the kernel takes the
  // cipher); known once established(). Only then may sendFile() be called.
  bool kernelSend() const noexcept { return kernel_send_; }
  // Sends up to `len` bytes of the file `fd` from `offset` by sendfile(2), the kernel
  // encrypting them: Ok with the bytes sent (fewer when the socket buffer fills), WantWrite
  // (nothing sent; call again from the same offset once writable), or Error (including a file
  // that ends before `offset + len`).
  IoOutcome sendFile(int fd, off_t offset, std::size_t len);
  // The protocol ALPN chose during the handshake ("h2", "http/1.1"), or empty when the client
  // offered none we speak. Known once established(); views memory of the stream.
  std::string_view negotiatedProtocol() const noexcept;
  // Decrypted bytes OpenSSL holds that the socket's readiness will not announce.
  bool pending() const noexcept;
  // Sends close_notify once, without waiting for the peer's (best effort).
  void closeNotify();

  struct Token {  // only accept() constructs
   private:
    Token() = default;
    friend class TlsStream;
  };
  explicit TlsStream(Token) {}

 private:
  struct Free {
    void operator()(ssl_st* ssl) const noexcept;
  };
  std::unique_ptr<ssl_st, Free> ssl_;
  const ServerContext* context_ = nullptr;
  std::string server_name_;
  std::span<const std::string> authority_;
  bool established_ = false;
  bool kernel_send_ = false;
  bool notified_ = false;
};

}  // namespace learnhttpd::tls
