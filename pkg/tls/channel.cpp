#include "tls/channel.hpp"

#include <openssl/err.h>

#include <cerrno>
#include <cstring>

#include "tls/server_profile.hpp"

namespace zedge::tls {

Channel::Channel(SSL* ssl, int fd) : ssl_(ssl) {
  if (ssl == nullptr || SSL_set_fd(ssl, fd) != 1) {  // a socket BIO that leaves the descriptor open
    broken_ = true;
    error_ = "cannot set up OpenSSL for the connection: " + take_openssl_errors();
    return;
  }
  SSL_set_accept_state(ssl);
}

Channel::Status Channel::status_of(int result) {
  // SSL_get_error reads this thread's error queue; every caller cleared it first.
  switch (SSL_get_error(ssl_.get(), result)) {
    case SSL_ERROR_WANT_READ: return Status::WantRead;
    case SSL_ERROR_WANT_WRITE: return Status::WantWrite;
    case SSL_ERROR_ZERO_RETURN: return Status::Closed;
    case SSL_ERROR_SYSCALL:
      broken_ = true;
      error_ = errno != 0 ? std::strerror(errno) : "connection closed by peer";
      ERR_clear_error();
      return Status::Failed;
    default:
      broken_ = true;
      error_ = take_openssl_errors();
      return Status::Failed;
  }
}

Channel::Status Channel::handshake() {
  if (broken_) return Status::Failed;
  ERR_clear_error();
  errno = 0;
  const int result = SSL_do_handshake(ssl_.get());
  return result == 1 ? Status::Ok : status_of(result);
}

template <typename Io>
Channel::Result Channel::transfer(std::size_t size, Io io) {
  ERR_clear_error();
  Result result;
  // One record per call: keep going until the caller's buffer is done or the socket dry,
  // so one readiness event moves as much as the plain path would.
  while (result.bytes < size) {
    std::size_t n = 0;
    errno = 0;
    const int done = io(result.bytes, &n);
    if (done != 1) {
      result.status = status_of(done);
      break;
    }
    result.bytes += n;
  }
  return result;
}

Channel::Result Channel::read(char* data, std::size_t size) {
  return transfer(size, [&](std::size_t offset, std::size_t* n) {
    return SSL_read_ex(ssl_.get(), data + offset, size - offset, n);
  });
}

Channel::Result Channel::write(const char* data, std::size_t size) {
  return transfer(size, [&](std::size_t offset, std::size_t* n) {
    return SSL_write_ex(ssl_.get(), data + offset, size - offset, n);
  });
}

void Channel::close_notify() {
  if (broken_ || !ssl_ || SSL_is_init_finished(ssl_.get()) != 1) return;
  ERR_clear_error();
  SSL_shutdown(ssl_.get());  // one try: a full send buffer just means no close_notify
  ERR_clear_error();
  broken_ = true;  // at most once
}

std::string Channel::server_name() const {
  const char* name = ssl_ ? SSL_get_servername(ssl_.get(), TLSEXT_NAMETYPE_host_name) : nullptr;
  return name != nullptr ? name : "";
}

}  // namespace zedge::tls
