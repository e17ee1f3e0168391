// The WebSocket phase, handler -> client: handler packets become frames, written output
// earns the handler its credits back, and the ways a WebSocket session ends.
#include <algorithm>

#include "log/log.hpp"
#include "session/request_packet.hpp"
#include "session/websocket_session.hpp"
#include "websocket/close_code.hpp"
#include "websocket/frame_writer.hpp"

namespace zedge::session {
namespace {

constexpr const char* kLog = "websocket";

}  // namespace

// ---------------------------------------------------------------- handler -> client

void WebSocketSession::on_handler_packet(const zhttp::Packet& packet, const zhttp::IdSeq& addressed,
                                         Clock::time_point now) {
  if (!end_.open()) return;
  if (!link_.accept(packet, addressed)) {
    close(CloseReason::ProtocolError);
    return;
  }
  deadline_ = now + settings_.session_timeout;
  const bool resumed = link_.resume();
  if (!take_common_packet(packet)) return;
  const bool may_send = client_may_receive();
  switch (packet.type) {
    case zhttp::PacketType::Data:
      if (may_send) write_data(packet);
      break;
    case zhttp::PacketType::Close:
      if (may_send) write_close(packet);
      break;
    case zhttp::PacketType::Ping:
    case zhttp::PacketType::Pong:
      if (may_send) write_ping_pong(packet);
      break;
    default: break;  // read by take_common_packet
  }
  if (end_.closed()) return;
  if (resumed) return_credits(true);
  send_pending();
  if (!output_pending()) after_output_drained();
}

// Handler payload beyond the credits we offered is a protocol error, as in Condure.
bool WebSocketSession::accepts_handler_body(std::size_t bytes) {
  std::int64_t& credits = link_.state().receive_credits;
  if (to_i64(bytes) > credits) {
    LOG_WARN(kLog, link_.id() << " handler sent " << bytes << " bytes with only " << credits << " credits; closing");
    close(CloseReason::CreditOverrun);
    return false;
  }
  credits -= to_i64(bytes);
  return true;
}

// --messages-max bounds the messages waiting to be written to a slow client.
bool WebSocketSession::start_client_message() {
  if (messages_queued_ + messages_writing_ >= settings_.messages_max) {
    LOG_WARN(kLog, link_.id() << " more than " << settings_.messages_max << " messages queued for the client; closing");
    close(CloseReason::CreditOverrun);
    return false;
  }
  ++messages_queued_;
  return true;
}

void WebSocketSession::write_data(const zhttp::Packet& packet) {
  if (!accepts_handler_body(packet.body.size())) return;
  websocket::Opcode opcode = websocket::Opcode::kContinuation;
  if (!client_message_open_) {
    if (!start_client_message()) return;
    // Anything but "binary" is text, as in Condure.
    opcode = packet.content_type == "binary" ? websocket::Opcode::kBinary : websocket::Opcode::kText;
  }
  if (deflater_) {
    // Every outgoing message is compressed, RSV1 on its first frame (RFC 7692 §6).
    std::string payload;
    if (!deflater_->compress(packet.body, !packet.more, payload)) {
      fail(websocket::kCloseInternalError, "compression failed");
      return;
    }
    websocket::append_frame(output_, opcode, !packet.more, payload, opcode != websocket::Opcode::kContinuation);
  } else {
    websocket::append_frame(output_, opcode, !packet.more, packet.body);
  }
  output_payload_bytes_ += packet.body.size();
  client_message_open_ = packet.more;
  if (!packet.more && settings_.events != nullptr) settings_.events->websocket_message(false);
}

void WebSocketSession::write_close(const zhttp::Packet& packet) {
  std::uint16_t code = websocket::kCloseNormal;  // Condure's default
  if (packet.code) {
    if (*packet.code >= 0 && *packet.code <= 0xFFFF &&
        websocket::is_valid_peer_close_code(static_cast<std::uint16_t>(*packet.code))) {
      code = static_cast<std::uint16_t>(*packet.code);
    } else {
      // A client would fail the connection on it (RFC 6455 §7.4.1); say what happened.
      LOG_WARN(kLog, link_.id() << " handler close code " << *packet.code << " may not be sent; using 1011");
      code = websocket::kCloseInternalError;
    }
  }
  websocket::append_close_frame(output_, code, packet.body);
  if (close_state_ == CloseState::ClientClosed) {
    close_state_ = CloseState::Finished;
  } else {
    close_state_ = CloseState::ServerClosed;
  }
}

void WebSocketSession::write_ping_pong(const zhttp::Packet& packet) {
  if (packet.body.size() > websocket::kMaxControlPayloadBytes) {
    LOG_WARN(kLog, link_.id() << " handler " << zhttp::type_name(packet.type) << " of " << packet.body.size()
                              << " bytes is over the 125-byte control frame limit; closing");
    close(CloseReason::ProtocolError);
    return;
  }
  if (!accepts_handler_body(packet.body.size()) || !start_client_message()) return;
  const auto opcode = packet.type == zhttp::PacketType::Ping ? websocket::Opcode::kPing : websocket::Opcode::kPong;
  websocket::append_frame(output_, opcode, true, packet.body);
  output_payload_bytes_ += packet.body.size();
}

// ---------------------------------------------------------------- output

std::size_t WebSocketSession::take_output(std::string& out) {
  out.swap(output_);
  const std::size_t ticket = output_payload_bytes_;
  output_payload_bytes_ = 0;
  ++writing_;
  messages_writing_ += messages_queued_;
  messages_queued_ = 0;
  return ticket;
}

void WebSocketSession::on_written(std::size_t ticket, Clock::time_point now) {
  if (writing_ > 0) --writing_;
  if (writing_ == 0) messages_writing_ = 0;
  client_deadline_ = now + settings_.stream_timeout;
  if (closed()) return;
  // Credits come back as the handler's bytes reach the client.
  if (ticket > 0 && client_may_receive() && end_.open()) {
    link_.owe_credits(to_i64(ticket));
    return_credits(false);
  }
  if (!output_pending()) after_output_drained();
}

// Credits go back in batches of a quarter buffer rather than one packet per message
// (Condure sends one per message; for small messages that doubles the packets to the
// handler). The handler so always holds three quarters of the buffer; the sweep tick
// returns a smaller remainder, so a handler waiting for more is held up a tick at most.
void WebSocketSession::return_credits(bool all) {
  if (!end_.open()) return;
  if (!all && link_.state().credits_owed < to_i64(settings_.buffer_size_bytes / 4)) return;
  link_.return_owed_credits();
}

void WebSocketSession::after_output_drained() {
  if (link_.handoff_pending() && end_.open()) {
    // Everything queued reached the client: the handler may hand the session over (answered
    // with handoff-proceed); nothing more is read or sent until the next packet. Credits
    // for what was written go to the old owner first.
    return_credits(true);
    link_.proceed_handoff();
  }
  end_.output_drained();
}

// ---------------------------------------------------------------- errors, time, teardown

void WebSocketSession::fail(std::uint16_t code, std::string_view why) {
  LOG_INFO(kLog, link_.id() << " client broke the WebSocket protocol (" << code << "): " << why);
  if (client_may_receive()) websocket::append_close_frame(output_, code, why);
  // The handler hears the session is over; a close would ask it for a close back.
  if (handler_holds_session()) link_.send_cancel();
  end_.close_when_written(CloseReason::ClientError, output_pending());
}

void WebSocketSession::on_tick(Clock::time_point now) {
  if (!end_.open()) return;
  return_credits(true);
  if (now >= deadline_) {
    close(CloseReason::SessionTimeout);
  } else if (now >= client_deadline_) {
    close(CloseReason::ClientTimeout);
  }
}

void WebSocketSession::on_handler_unreachable() {
  if (!end_.open() || !link_.known()) return;
  LOG_INFO(kLog, link_.id() << " handler " << link_.address() << " is gone; closing with 1011");
  if (client_may_receive()) websocket::append_close_frame(output_, websocket::kCloseInternalError, "handler went away");
  close_state_ = CloseState::Finished;
  end_.close_when_written(CloseReason::HandlerGone, output_pending());
}

void WebSocketSession::go_away() {
  if (!end_.open()) return;
  if (client_may_receive()) websocket::append_close_frame(output_, websocket::kCloseGoingAway, {});
  if (handler_holds_session()) {
    link_.send(ws_close_frame(settings_.instance_id, link_.id(), link_.next_seq(), websocket::kCloseGoingAway, {}));
  }
  close_state_ = CloseState::Finished;
  end_.close_when_written(CloseReason::Drained, output_pending());
}

bool WebSocketSession::wants_keepalive() const { return end_.open() && handler_holds_session() && !link_.paused(); }

void WebSocketSession::close(CloseReason reason) {
  if (closed()) return;
  if (HandlerLink::handler_hears_cancel(reason) && handler_holds_session() && end_.open()) link_.send_cancel();
  end_.close_now(reason);
}

}  // namespace zedge::session
