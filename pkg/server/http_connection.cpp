#include "server/http_connection.hpp"

#include "log/log.hpp"
#include "server/http_connection_tls_state.hpp"
#include "server/worker_events.hpp"

namespace zedge::server {
namespace {

// A buffer that grew past this is given back when empty; a smaller one is kept for the
// next request, so a busy keep-alive connection does not allocate on every request.
constexpr std::size_t kKeptBufferBytes = 512;
// How long a connection closing after an error response keeps reading before it closes.
constexpr auto kLingerTime = std::chrono::seconds(2);

void release_if_large(std::string& buffer) {
  if (buffer.empty() && buffer.capacity() > kKeptBufferBytes) std::string().swap(buffer);
}

}  // namespace

HttpConnection::HttpConnection(ConnectionHost& host, std::uint32_t slot, Socket socket,
                               const session::SessionSettings& settings, PeerInfo peer, tls::ListenerContext* tls)
    : host_(host),
      slot_(slot),
      socket_(std::move(socket)),
      tls_(tls != nullptr ? new_tls_state(*tls, socket_.native_handle(), peer, settings) : nullptr),
      mode_(settings.mode),
      session_(std::make_unique<session::HttpSession>(
          settings, std::move(peer), static_cast<session::PacketSink&>(*this),
          [&host, slot] { return host.next_request_id(slot); }, session::Clock::now())) {}

void HttpConnection::start() {
  // A new connection counts as active until its first quiet tick, so a drain does not
  // close it before its first request had time to arrive.
  active_since_tick_ = true;
  asio::error_code ec;
  socket_.non_blocking(true, ec);
  if (tls_) {
    handshaking_ = true;
    continue_handshake();
    return;
  }
  want_read();
}

void HttpConnection::send_packet(session::Route route, std::string_view address, std::string frame) {
  host_.metrics().zhttp_packet(metrics::PacketDirection::ToHandler, packet_kind(zhttp::scan_type(frame)));
  host_.send_to_bridge({route, std::string(address), std::move(frame)});
}

// ---------------------------------------------------------------- events in

void HttpConnection::want_read() {
  if (reading_ || client_eof_ || (finished_ && !lingering_)) return;
  if (!lingering_ && in_.size() >= host_.read_scratch().size()) return;  // full: backpressure
  if (!lingering_ && host_.backlogged()) {
    // ZeroMQ is not taking packets: reading more clients would only grow our queues.
    if (!waiting_for_room_) {
      waiting_for_room_ = true;
      host_.resume_when_room(shared_from_this());
    }
    return;
  }
  reading_ = true;
  if (tls_reading()) {
    want_tls_read();
    return;
  }
  // Wait for readability first and read only then, so idle connections hold no buffer.
  socket_.async_wait(Socket::wait_read,
                     [self = shared_from_this()](const asio::error_code& ec) { self->on_readable(ec); });
}

void HttpConnection::on_readable(const asio::error_code& ec) {
  reading_ = false;
  if (finished_ && !lingering_) return;
  if (ec) {
    client_eof_ = true;
  } else {
    // Read into the host's scratch buffer and keep only what arrived: nothing is
    // zero-filled per read, and an idle connection keeps no buffer.
    auto scratch = host_.read_scratch();
    const std::size_t room = lingering_ ? scratch.size() : scratch.size() - in_.size();
    asio::error_code read_ec;
    const std::size_t size = std::min(room, scratch.size());
    const std::size_t n = tls_reading() ? tls_read(scratch.data(), size, read_ec)
                                        : socket_.read_some(asio::buffer(scratch.data(), size), read_ec);
    if (read_ec == asio::error::would_block || read_ec == asio::error::try_again) {
      want_read();
      return;
    }
    if (read_ec) client_eof_ = true;
    host_.metrics().bytes_in(n);
    if (!lingering_) in_.append(scratch.data(), n);
    active_since_tick_ = true;
  }
  if (lingering_) {
    if (client_eof_)
      close_socket();
    else
      want_read();
    return;
  }
  if (client_eof_) session_->on_client_closed();
  after_event();
}

void HttpConnection::on_handler_packet(const zhttp::Packet& packet, const zhttp::IdSeq& addressed) {
  if (finished_) return;
  session_->on_handler_packet(packet, addressed, session::Clock::now());
  // An accepted WebSocket upgrade: the connection speaks WebSocket from here on.
  session::adopt_next_phase(session_);
  after_event();
}

void HttpConnection::on_tick(session::Clock::time_point now) {
  if (lingering_) {
    if (now >= linger_deadline_) close_socket();
    return;
  }
  if (finished_) return;
  if (handshaking_) {
    on_handshake_tick(now);
    return;
  }
  if (!active_since_tick_ && in_.empty() && !writing_) {
    // Quiet for a whole tick: keep no buffers while waiting for the next request.
    std::string().swap(in_);
    std::string().swap(out_writing_);
    session_->release_idle_memory();
  }
  // Draining: a keep-alive connection quiet for a whole tick is closed; one in use gets
  // `Connection: close` on its next response instead, so no request races the close.
  if (session_->draining() && !active_since_tick_ && in_.empty() && !writing_) session_->close_if_idle();
  active_since_tick_ = false;
  session_->on_handlers_available(host_.handlers_available(), now);
  session_->on_tick(now);
  // Most ticks change nothing; only a timeout (a close or a 503) needs the I/O loop.
  if (session_->closed() || session_->has_output()) after_event();
}

void HttpConnection::shutdown() {
  if (lingering_) {
    close_socket();
    return;
  }
  if (finished_) return;
  session_->shutdown();
  finish();
}

void HttpConnection::abort_protocol_error() {
  if (finished_) return;
  session_->abort_protocol_error();
  after_event();
}

void HttpConnection::on_handler_unreachable() {
  if (finished_) return;
  session_->on_handler_unreachable();
  after_event();
}

void HttpConnection::set_draining(bool draining) {
  if (!finished_) session_->set_draining(draining);
}

void HttpConnection::go_away() {
  if (finished_) return;
  if (handshaking_) {
    // The client is owed an answer too: the handshake goes on (within its timeout), then
    // its request gets 503.
    session_->refuse_requests();
    return;
  }
  if (session_->response_in_progress()) {
    LOG_INFO("connection", session_->request_id() << " drain deadline: response cut short, handler cancelled");
  }
  session_->go_away();
  after_event();
}

void HttpConnection::refuse_requests() {
  if (!finished_) session_->refuse_requests();
}

void HttpConnection::resume_reading() {
  waiting_for_room_ = false;
  if (!finished_) after_event();
}

// ---------------------------------------------------------------- the loop

void HttpConnection::after_event() {
  if (finished_ || handshaking_) return;
  const auto now = session::Clock::now();
  if (!in_.empty()) {
    session_->on_handlers_available(host_.handlers_available(), now);
    in_.erase(0, session_->on_client_bytes(in_, now));
    release_if_large(in_);
  }
  flush();
  if (!counted_as_websocket_ && session_->is_websocket()) {
    counted_as_websocket_ = true;
    host_.metrics().connection_upgraded();
  }
  if (session_->closed()) {
    finish();
    return;
  }
  want_read();
}

void HttpConnection::flush() {
  if (writing_ || !session_->has_output()) return;
  writing_ = true;
  const std::size_t ticket = session_->take_output(out_writing_);
  if (tls_) {
    start_tls_write(ticket);
    return;
  }
  asio::async_write(
      socket_, asio::buffer(out_writing_),
      [self = shared_from_this(), ticket](const asio::error_code& ec, std::size_t) { self->on_written(ec, ticket); });
}

void HttpConnection::on_written(const asio::error_code& ec, std::size_t ticket) {
  writing_ = false;
  if (!ec) host_.metrics().bytes_out(out_writing_.size());
  if (finished_) return;
  out_writing_.clear();
  release_if_large(out_writing_);
  if (ec) {
    client_eof_ = true;
    session_->on_client_closed();
  } else {
    session_->on_written(ticket, session::Clock::now());
  }
  after_event();
}

// ---------------------------------------------------------------- teardown

void HttpConnection::finish() {
  if (finished_) return;
  finished_ = true;
  if (!counted_as_websocket_ && session_->is_websocket()) {
    counted_as_websocket_ = true;
    host_.metrics().connection_upgraded();
  }
  // The handler of a request the client abandoned before any answer cannot be told yet;
  // the host answers its first packet with cancel.
  if (session_->awaiting_handler() && session_->close_reason() != session::CloseReason::Done) {
    host_.remember_abandoned(session_->request_id());
  }
  const auto kind = tls_ && tls_->handshake_failure ? *tls_->handshake_failure : close_kind(session_->close_reason());
  const auto protocol = session_->is_websocket() ? metrics::Protocol::WebSocket : metrics::Protocol::Http;
  host_.metrics().connection_closed(protocol, kind);
  host_.release(slot_, mode_);
  // After an error status, a refused upgrade or a WebSocket protocol error the client may
  // still be sending: linger so our last bytes are not lost to a reset.
  const auto reason = session_->close_reason();
  if ((reason == session::CloseReason::ClientError || reason == session::CloseReason::Rejected ||
       reason == session::CloseReason::Drained) &&
      !client_eof_) {
    linger();
  } else {
    close_socket();
  }
}

void HttpConnection::linger() {
  lingering_ = true;
  linger_deadline_ = session::Clock::now() + kLingerTime;
  if (tls_) tls_close_notify();
  asio::error_code ignored;
  socket_.shutdown(Socket::shutdown_send, ignored);
  host_.keep_lingering(shared_from_this());
  want_read();  // reads continue, and are dropped, until EOF or the deadline
}

void HttpConnection::close_socket() {
  if (lingering_) {
    lingering_ = false;
    host_.stop_lingering(this);
  }
  if (tls_) tls_close_notify();
  asio::error_code ignored;
  socket_.shutdown(Socket::shutdown_both, ignored);
  socket_.close(ignored);
}

}  // namespace zedge::server
