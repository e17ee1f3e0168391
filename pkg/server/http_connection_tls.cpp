// HttpConnection on a tls listener: the handshake (with a deadline) before the session
// starts, then reads and writes through a tls::Channel over the same non-blocking socket,
// waiting for readiness exactly as the plain path does (http_connection.cpp).
#include <algorithm>

#include "log/log.hpp"
#include "server/http_connection_tls_state.hpp"
#include "tls/listener_context.hpp"

namespace zedge::server {
namespace {

constexpr const char* kLog = "tls";
// A client that connects and never finishes its handshake holds a slot; Condure has no
// separate limit (only --stream-timeout). The mode's own timeout still applies when shorter.
constexpr auto kTlsHandshakeTimeout = std::chrono::seconds(10);

std::string peer_text(const PeerInfo& peer) {
  if (peer.address.empty()) return "a unix socket client";
  const bool v6 = peer.address.find(':') != std::string::npos;
  return (v6 ? "[" + peer.address + "]" : peer.address) + ":" + std::to_string(peer.port);
}

}  // namespace

HttpConnection::~HttpConnection() = default;

std::size_t HttpConnection::tls_state_size_bytes() { return sizeof(TlsState); }

std::unique_ptr<HttpConnection::TlsState> HttpConnection::new_tls_state(tls::ListenerContext& listener, int fd,
                                                                        const PeerInfo& peer,
                                                                        const session::SessionSettings& settings) {
  const auto mode_timeout = settings.mode == Mode::Stream ? settings.stream_timeout : settings.req_timeout;
  const auto timeout = std::min<std::chrono::milliseconds>(kTlsHandshakeTimeout, mode_timeout);
  return std::make_unique<TlsState>(listener.new_ssl(), fd, peer_text(peer), session::Clock::now() + timeout);
}

// ---------------------------------------------------------------- handshake

void HttpConnection::continue_handshake() {
  if (finished_) return;
  const auto status = tls_->channel.handshake();
  switch (status) {
    case tls::Channel::Status::Ok:
      handshaking_ = false;
      LOG_TRACE(kLog, "handshake with " << tls_->peer << " done (SNI '" << tls_->channel.server_name() << "')");
      // Read at once: a TLS 1.3 client sends its request right behind its Finished.
      reading_ = true;
      on_readable({});
      return;
    case tls::Channel::Status::WantRead:
    case tls::Channel::Status::WantWrite: {
      const auto wait = status == tls::Channel::Status::WantWrite ? Socket::wait_write : Socket::wait_read;
      socket_.async_wait(wait, [self = shared_from_this()](const asio::error_code& ec) {
        if (self->finished_) return;
        if (ec) return self->fail_handshake(ec.message());
        self->continue_handshake();
      });
      return;
    }
    case tls::Channel::Status::Closed: fail_handshake("closed by the client"); return;
    case tls::Channel::Status::Failed: fail_handshake(tls_->channel.error()); return;
  }
}

void HttpConnection::fail_handshake(std::string_view reason, metrics::CloseKind kind) {
  // Debug, not warn: scanners and plain-HTTP clients on the TLS port are routine.
  LOG_DEBUG(kLog, "handshake with " << tls_->peer << " failed: " << reason);
  tls_->handshake_failure = kind;
  finish();
}

void HttpConnection::on_handshake_tick(session::Clock::time_point now) {
  if (now >= tls_->handshake_deadline) fail_handshake("timed out", metrics::CloseKind::TlsHandshakeTimeout);
}

// ---------------------------------------------------------------- data

void HttpConnection::want_tls_read() {
  if (tls_->channel.has_buffered_input()) {
    // Decrypted bytes OpenSSL already holds: no readiness event will come for them.
    asio::post(socket_.get_executor(), [self = shared_from_this()] { self->on_readable({}); });
    return;
  }
  socket_.async_wait(tls_->read_wants_write ? Socket::wait_write : Socket::wait_read,
                     [self = shared_from_this()](const asio::error_code& ec) { self->on_readable(ec); });
}

std::size_t HttpConnection::tls_read(char* data, std::size_t size, asio::error_code& ec) {
  const auto result = tls_->channel.read(data, size);
  tls_->read_wants_write = result.status == tls::Channel::Status::WantWrite;
  switch (result.status) {
    case tls::Channel::Status::Ok: break;
    case tls::Channel::Status::WantRead:
    case tls::Channel::Status::WantWrite:
      if (result.bytes == 0) ec = asio::error::would_block;
      break;
    case tls::Channel::Status::Closed: ec = asio::error::eof; break;
    case tls::Channel::Status::Failed:
      LOG_DEBUG(kLog, "read from " << tls_->peer << " failed: " << tls_->channel.error());
      ec = asio::error::connection_reset;
      break;
  }
  return result.bytes;
}

void HttpConnection::start_tls_write(std::size_t ticket) {
  tls_->written = 0;
  tls_->write_ticket = ticket;
  write_tls();
}

void HttpConnection::write_tls() {
  if (finished_) {
    on_written(asio::error::operation_aborted, tls_->write_ticket);
    return;
  }
  const auto result = tls_->channel.write(out_writing_.data() + tls_->written, out_writing_.size() - tls_->written);
  tls_->written += result.bytes;
  const auto ticket = tls_->write_ticket;
  if (tls_->written == out_writing_.size() || result.status == tls::Channel::Status::Closed ||
      result.status == tls::Channel::Status::Failed) {
    const asio::error_code ec = tls_->written == out_writing_.size() ? asio::error_code() : asio::error::broken_pipe;
    // Completed later, as async_write does, so a long run of writes never recurses.
    asio::post(socket_.get_executor(), [self = shared_from_this(), ec, ticket] { self->on_written(ec, ticket); });
    return;
  }
  const auto wait = result.status == tls::Channel::Status::WantRead ? Socket::wait_read : Socket::wait_write;
  socket_.async_wait(wait, [self = shared_from_this(), ticket](const asio::error_code& ec) {
    if (ec) return self->on_written(ec, ticket);
    self->write_tls();
  });
}

void HttpConnection::tls_close_notify() {
  if (!handshaking_) tls_->channel.close_notify();
}

}  // namespace zedge::server
