#include "tls/tls_stream.hpp"

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
  return self;
}

Handshake TlsStream::handshake() {
  SSL* ssl = ssl_.get();
  int ret = SSL_do_handshake(ssl);
  if (ret == 1) {
    established_ = true;
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
