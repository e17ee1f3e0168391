// OpenSSL straight on a connection's non-blocking socket descriptor: the caller waits for
// readiness itself (as the plain path does) and calls handshake/read/write again. No
// buffers of our own: reads land in the caller's buffer, and with SSL_MODE_RELEASE_BUFFERS
// OpenSSL frees its record buffers whenever a connection is idle, so a quiet TLS
// connection costs its SSL object only.
#pragma once

#include <openssl/ssl.h>

#include <cstddef>
#include <memory>
#include <string>

namespace zedge::tls {

class Channel {
 public:
  enum class Status {
    Ok,
    WantRead,   // call again when the socket is readable
    WantWrite,  // call again when the socket is writable (even for a read)
    Closed,     // the peer closed (close_notify or plain EOF)
    Failed,     // error() says why; the connection is unusable
  };
  struct Result {
    std::size_t bytes = 0;
    Status status = Status::Ok;
  };

  // Takes `ssl` (from ListenerContext::new_ssl) and serves the handshake on `fd`, which the
  // caller keeps owning and closes after this is gone.
  Channel(SSL* ssl, int fd);

  Status handshake();
  // Reads up to `size` bytes. Some bytes and a status other than Ok may come together.
  Result read(char* data, std::size_t size);
  // Writes up to `size` bytes; after WantRead/WantWrite call again with the rest.
  Result write(const char* data, std::size_t size);
  // Decrypted bytes already inside OpenSSL, which no socket readiness will announce.
  bool has_buffered_input() const { return SSL_pending(ssl_.get()) > 0; }
  // Sends close_notify once if the session is healthy; never waits for the peer's.
  void close_notify();

  const std::string& error() const { return error_; }
  // The SNI the client sent, or empty.
  std::string server_name() const;

 private:
  Status status_of(int result);
  // Calls `io(offset, &n)`, one SSL_read_ex or SSL_write_ex of the bytes from `offset` on,
  // until `size` bytes have moved or a call fails (read and write, defined in channel.cpp).
  template <typename Io>
  Result transfer(std::size_t size, Io io);

  struct SslFree {
    void operator()(SSL* ssl) const { SSL_free(ssl); }
  };
  std::unique_ptr<SSL, SslFree> ssl_;
  std::string error_;
  bool broken_ = false;  // after a fatal error OpenSSL forbids SSL_shutdown
};

}  // namespace zedge::tls
