// SPDX-License-Identifier: MIT
#include "tls/tls_stream.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

namespace learnhttpd::tls {
namespace {

Io classify(SSL* ssl, int ret) {
  int error = SSL_get_error(ssl, ret);
  Io io = Io::Error;
  switch (error) {
    case SSL_ERROR_WANT_READ:
      io = Io::WantRead;
      break;
    case SSL_ERROR_WANT_WRITE:
      io = Io::WantWrite;
      break;
    case SSL_ERROR_ZERO_RETURN:
      io = Io::Closed;
      break;  // close_notify
    default:
      break;  // a reset, an EOF without close_notify, a bad record: all end it
  }
  ERR_clear_error();
  return io;
}

}  // namespace

void TlsStream::Free::operator()(ssl_st* ssl) const noexcept {
  SSL_free(ssl);
}

TlsStream::~TlsStream() = default;

std::unique_ptr<TlsStream> TlsStream::accept(const ServerContext& context, int fd) {
  auto self = std::make_unique<TlsStream>(Token{});
  self->ssl_.reset(SSL_new(context.native()));
  if (!self->ssl_ || SSL_set_fd(self->ssl_.get(), fd) != 1) {
    ERR_clear_error();
    return nullptr;
  }
  SSL_set_accept_state(self->ssl_.get());
  self->context_ = &context;
  return self;
}

Handshake TlsStream::handshake() {
  SSL* ssl = ssl_.get();
  int ret = SSL_do_handshake(ssl);
  if (ret == 1) {
    established_ = true;
    kernel_send_ = BIO_get_ktls_send(SSL_get_wbio(ssl));
    if (const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name)) {
      server_name_ = name;
      const ServerContext::Choice choice = context_->choose(server_name_);
      if (choice.covered) authority_ = context_->info(choice.pair).names;
    }
    return Handshake::Done;
  }
  int error = SSL_get_error(ssl, ret);
  // OpenSSL recognises "GET ", "POST ", "HEAD ", "PUT " where a TLS record should start.
  bool plain_http =
      error == SSL_ERROR_SSL && ERR_GET_REASON(ERR_peek_last_error()) == SSL_R_HTTP_REQUEST;
  ERR_clear_error();
  if (error == SSL_ERROR_WANT_READ) return Handshake::WantRead;
  if (error == SSL_ERROR_WANT_WRITE) return Handshake::WantWrite;
  return plain_http ? Handshake::PlainHttp : Handshake::Failed;
}

IoOutcome TlsStream::read(char* buf, std::size_t len) {
  std::size_t got = 0;
  if (SSL_read_ex(ssl_.get(), buf, len, &got) == 1) return {Io::Ok, got};
  return {classify(ssl_.get(), 0), 0};
}

IoOutcome TlsStream::write(const char* buf, std::size_t len) {
  std::size_t put = 0;
  if (SSL_write_ex(ssl_.get(), buf, len, &put) == 1) return {Io::Ok, put};
  return {classify(ssl_.get(), 0), 0};
}

IoOutcome TlsStream::sendFile(int fd, off_t offset, std::size_t len) {
  // SSL_sendfile flushes what OpenSSL still holds, then calls sendfile(2) on the socket. A full
  // socket buffer (EAGAIN) is a retryable write, like SSL_write's; 0 means the file ended.
  ossl_ssize_t sent = SSL_sendfile(ssl_.get(), fd, offset, len, 0);
  if (sent > 0) return {Io::Ok, static_cast<std::size_t>(sent)};
  if (sent == 0) {
    ERR_clear_error();
    return {Io::Error, 0};
  }
  Io io = classify(ssl_.get(), -1);
  return {io == Io::WantWrite ? Io::WantWrite : Io::Error, 0};
}

std::string_view TlsStream::negotiatedProtocol() const noexcept {
  const unsigned char* name = nullptr;
  unsigned int length = 0;
  SSL_get0_alpn_selected(ssl_.get(), &name, &length);
  if (name == nullptr) return {};
  return {reinterpret_cast<const char*>(name), length};
}

bool TlsStream::pending() const noexcept {
  return SSL_pending(ssl_.get()) > 0;
}

void TlsStream::closeNotify() {
  if (notified_ || !established_) return;
  notified_ = true;
  SSL_shutdown(ssl_.get());
  ERR_clear_error();
}

}  // namespace learnhttpd::tls
