#include "session/websocket_session.hpp"

#include <algorithm>

#include "log/log.hpp"
#include "session/request_packet.hpp"
#include "websocket/close_code.hpp"
#include "websocket/frame_writer.hpp"

namespace zedge::session {
namespace {

constexpr const char* kLog = "websocket";
// With permessage-deflate, client bytes are parsed this many at a time, so what one slice
// inflates to stays near the buffer size before reading stops.
constexpr std::size_t kCompressedSliceBytes = 1024;

std::int64_t to_i64(std::size_t n) { return static_cast<std::int64_t>(n); }

bool is_data(websocket::Opcode op) { return !websocket::is_control(op); }

}  // namespace

WebSocketSession::WebSocketSession(const SessionSettings& settings, PacketSink& sink, WebSocketStart start,
                                   Clock::time_point now)
    : settings_(settings),
      sink_(sink),
      id_(std::move(start.id)),
      handler_(std::move(start.handler)),
      out_seq_(start.out_seq),
      in_seq_(start.in_seq),
      client_credits_(start.client_credits),
      handler_credits_(start.handler_credits),
      parser_(websocket::FrameParserOptions{start.deflate.has_value(), settings.websocket_message_max_bytes}),
      output_(std::move(start.output)),
      writing_(start.writing),
      deadline_(now + settings.session_timeout),
      client_deadline_(now + settings.stream_timeout) {
  if (start.deflate) {
    inflater_ = std::make_unique<websocket::MessageInflater>(*start.deflate, settings.websocket_message_max_bytes);
    deflater_ = std::make_unique<websocket::MessageDeflater>(*start.deflate);
  }
}

WebSocketSession::~WebSocketSession() = default;

// ---------------------------------------------------------------- client -> handler

std::size_t WebSocketSession::on_client_bytes(std::string_view input, Clock::time_point now) {
  if (close_reason_ != CloseReason::None) return 0;
  // Nothing after a client's close frame counts (RFC 6455 §5.5.1).
  if (close_state_ == CloseState::ClientClosed || close_state_ == CloseState::Finished) return input.size();
  if (paused_) return 0;  // handoff: the next owner gets the rest
  if (!input.empty()) client_deadline_ = now + settings_.stream_timeout;
  std::size_t used = 0;
  // At most a buffer of payload waits for the handler's credits; the rest stays unread,
  // which stops reading from the client.
  while (used < input.size()) {
    if (held_bytes_ >= settings_.buffer_size_bytes) {
      // Full: what is held goes out as far as credits allow before reading on.
      if (!piece_.empty()) queue_piece(true);
      send_pending();
      if (held_bytes_ >= settings_.buffer_size_bytes) break;
    }
    std::size_t slice = std::min(settings_.buffer_size_bytes - held_bytes_, input.size() - used);
    if (inflater_) slice = std::min(slice, kCompressedSliceBytes);
    used += parser_.feed(input.substr(used, slice), *this);
    if (parser_.failed()) {
      fail(parser_.close_code(), parser_.error_text());
      return used;
    }
    if (error_code_ != 0) {
      fail(error_code_, error_text_);
      return used;
    }
    if (close_state_ == CloseState::ClientClosed || close_state_ == CloseState::Finished) {
      send_pending();
      return input.size();
    }
  }
  // A frame still arriving: what came of it goes out now instead of waiting for its end.
  if (!piece_.empty()) queue_piece(true);
  send_pending();
  return used;
}

void WebSocketSession::on_frame_header(const websocket::FrameHeader& header) {
  if (error_code_ != 0 || close_state_ == CloseState::ClientClosed || close_state_ == CloseState::Finished) return;
  frame_ = header;
  frame_sent_whole_ = false;
  if (!is_data(header.opcode)) {
    control_.clear();
    return;
  }
  if (header.opcode != websocket::Opcode::kContinuation) {
    message_binary_ = header.opcode == websocket::Opcode::kBinary;
    message_compressed_ = header.rsv1;
    utf8_.reset();
  }
}

void WebSocketSession::on_frame_payload(std::string_view piece) {
  if (error_code_ != 0 || close_state_ == CloseState::ClientClosed || close_state_ == CloseState::Finished) return;
  if (!is_data(frame_.opcode)) {
    control_.append(piece);
    return;
  }
  if (message_compressed_) {
    inflate_message_bytes(piece, false);
    return;
  }
  // The common case, a whole small frame in one read with nothing queued before it,
  // goes to the handler straight from the parser's buffer.
  if (piece.size() == frame_.payload_length && piece_.empty() && pending_.empty() && !message_compressed_ &&
      client_credits_ >= to_i64(piece.size())) {
    frame_sent_whole_ = try_send_whole_frame(piece);
    if (frame_sent_whole_) return;
  }
  take_message_bytes(piece);
}

void WebSocketSession::take_message_bytes(std::string_view bytes) {
  const std::size_t from = piece_.size();
  piece_.append(bytes);
  check_text(from);
}

// The handler sees plain payloads: a compressed message is inflated as
// its frames arrive, and its limit applies to the inflated size.
void WebSocketSession::inflate_message_bytes(std::string_view bytes, bool final_piece) {
  const std::size_t from = piece_.size();
  if (const std::uint16_t code = inflater_->inflate(bytes, final_piece, piece_); code != 0) {
    error_code_ = code;
    error_text_ = code == websocket::kCloseMessageTooBig ? "message too big once inflated"
                                                         : "compressed message cannot be inflated";
    return;
  }
  check_text(from);
}

// Text is validated as it arrives, across frames (RFC 6455 §8.1).
void WebSocketSession::check_text(std::size_t from) {
  held_bytes_ += piece_.size() - from;
  if (!message_binary_ && !utf8_.feed(std::string_view(piece_).substr(from))) {
    error_code_ = websocket::kCloseInvalidPayload;
    error_text_ = "invalid UTF-8 in a text message";
  }
}

bool WebSocketSession::try_send_whole_frame(std::string_view payload) {
  if (!message_binary_ && (!utf8_.feed(payload) || (frame_.fin && !utf8_.finish()))) {
    error_code_ = websocket::kCloseInvalidPayload;
    error_text_ = "invalid UTF-8 in a text message";
    return true;  // nothing more to do with this frame
  }
  client_credits_ -= to_i64(payload.size());
  send_to_handler(ws_data_frame(settings_.instance_id, id_, out_seq_++, message_binary_, payload, !frame_.fin));
  if (frame_.fin && settings_.events != nullptr) settings_.events->websocket_message(true);
  return true;
}

void WebSocketSession::on_frame_end() {
  if (error_code_ != 0 || close_state_ == CloseState::ClientClosed || close_state_ == CloseState::Finished) return;
  if (!is_data(frame_.opcode)) {
    on_client_control();
    return;
  }
  if (frame_sent_whole_) return;
  if (frame_.fin && message_compressed_) {
    inflate_message_bytes({}, true);
    if (error_code_ != 0) return;
  }
  if (frame_.fin && !message_binary_ && !utf8_.finish()) {
    error_code_ = websocket::kCloseInvalidPayload;
    error_text_ = "text message ends inside a UTF-8 sequence";
    return;
  }
  queue_piece(!frame_.fin);
}

void WebSocketSession::queue_piece(bool more) {
  // Like Condure, an empty piece is sent only when it ends a message.
  if (piece_.empty() && more) return;
  pending_.push_back(Pending{zhttp::PacketType::Data, message_binary_, more, std::nullopt, std::move(piece_)});
  piece_.clear();
}

void WebSocketSession::on_client_control() {
  Pending item;
  switch (frame_.opcode) {
    case websocket::Opcode::kClose: {
      const auto parsed = websocket::parse_close_payload(control_);
      if (!parsed.ok()) {
        error_code_ = parsed.error_code;
        error_text_ = "invalid close frame";
        return;
      }
      item.type = zhttp::PacketType::Close;
      item.code = parsed.payload.code;
      item.body.assign(parsed.payload.reason);
      close_state_ = close_state_ == CloseState::ServerClosed ? CloseState::Finished : CloseState::ClientClosed;
      break;
    }
    case websocket::Opcode::kPing:
      item.type = zhttp::PacketType::Ping;
      item.body = control_;
      break;
    case websocket::Opcode::kPong:
      item.type = zhttp::PacketType::Pong;
      item.body = control_;
      break;
    default:
      return;  // the parser lets no other opcode through
  }
  held_bytes_ += item.body.size();
  pending_.push_back(std::move(item));
}

// Sends what is queued, in order; data needs credits, control packets do not (they are
// at most 125 bytes, RFC 6455 §5.5). Returns whether anything was sent.
bool WebSocketSession::send_pending() {
  bool sent = false;
  std::size_t done = 0;
  for (; done < pending_.size() && !paused_; ++done) {
    Pending& item = pending_[done];
    if (item.type == zhttp::PacketType::Data) {
      if (!item.body.empty() && client_credits_ <= 0) {
        if (!stalled_ && settings_.events != nullptr) settings_.events->credit_stall();
        stalled_ = true;  // one stall per wait
        break;
      }
      stalled_ = false;
      const std::size_t n = std::min(item.body.size(), static_cast<std::size_t>(std::max<std::int64_t>(client_credits_, 0)));
      const bool whole = n == item.body.size();
      send_to_handler(ws_data_frame(settings_.instance_id, id_, out_seq_++, item.binary,
                                    std::string_view(item.body).substr(0, n), whole ? item.more : true));
      client_credits_ -= to_i64(n);
      held_bytes_ -= n;
      sent = true;
      if (whole && !item.more && settings_.events != nullptr) settings_.events->websocket_message(true);
      if (!whole) {
        item.body.erase(0, n);  // the rest waits for more credits
        break;
      }
      continue;
    }
    held_bytes_ -= item.body.size();
    if (item.type == zhttp::PacketType::Close) {
      send_to_handler(ws_close_frame(settings_.instance_id, id_, out_seq_++, item.code, item.body));
    } else {
      send_to_handler(ws_ping_pong_frame(settings_.instance_id, id_, out_seq_++, item.type, item.body));
    }
    sent = true;
  }
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(done));
  if (close_state_ == CloseState::Finished && pending_.empty() && close_reason_ == CloseReason::None) {
    // Both close frames are out: the connection ends when our output is written.
    close_reason_ = CloseReason::Done;
    close_after_output_ = writing_ > 0 || !output_.empty();
  }
  return sent;
}

void WebSocketSession::send_to_handler(std::string frame) {
  sink_.send_packet(Route::StreamReply, handler_, std::move(frame));
}

void WebSocketSession::on_client_closed() {
  // After its close frame a client may close at once; the handler already has the close.
  if (close_state_ == CloseState::ClientClosed || close_state_ == CloseState::Finished) {
    if (!closed()) close(CloseReason::Done);
    return;
  }
  close(CloseReason::ClientGone);
}

// ---------------------------------------------------------------- handler -> client

void WebSocketSession::on_handler_packet(const zhttp::Packet& packet, const zhttp::IdSeq& addressed,
                                         Clock::time_point now) {
  if (close_reason_ != CloseReason::None) return;
  if (!packet.from.empty()) handler_.assign(packet.from);
  if (addressed.seq) {
    if (*addressed.seq != in_seq_) {
      LOG_WARN(kLog, id_ << " bad seq from handler: got " << *addressed.seq << ", expected " << in_seq_);
      close(CloseReason::ProtocolError);
      return;
    }
    ++in_seq_;
  }
  deadline_ = now + settings_.session_timeout;
  const bool resumed = paused_;
  paused_ = false;
  if (packet.credits && (packet.type == zhttp::PacketType::Data || packet.type == zhttp::PacketType::Credit)) {
    client_credits_ += *packet.credits;
  }
  const bool may_send = close_state_ == CloseState::Open || close_state_ == CloseState::ClientClosed;
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
    case zhttp::PacketType::Cancel:
    case zhttp::PacketType::Error:
      close(CloseReason::HandlerEnded);
      return;
    case zhttp::PacketType::HandoffStart:
      handoff_pending_ = true;
      break;
    case zhttp::PacketType::Credit:
    case zhttp::PacketType::KeepAlive:
    case zhttp::PacketType::HandoffProceed:
      break;
  }
  if (close_reason_ != CloseReason::None && !close_after_output_) return;
  if (resumed) return_credits(true);
  send_pending();
  if (writing_ == 0 && output_.empty()) after_output_drained();
}

// Handler payload beyond the credits we offered is a protocol error, as in Condure.
bool WebSocketSession::accepts_handler_body(std::size_t bytes) {
  if (to_i64(bytes) > handler_credits_) {
    LOG_WARN(kLog, id_ << " handler sent " << bytes << " bytes with only " << handler_credits_ << " credits; closing");
    close(CloseReason::CreditOverrun);
    return false;
  }
  handler_credits_ -= to_i64(bytes);
  return true;
}

// --messages-max bounds the messages waiting to be written to a slow client.
bool WebSocketSession::start_client_message() {
  if (messages_queued_ + messages_writing_ >= settings_.messages_max) {
    LOG_WARN(kLog, id_ << " more than " << settings_.messages_max << " messages queued for the client; closing");
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
      LOG_WARN(kLog, id_ << " handler close code " << *packet.code << " may not be sent; using 1011");
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
    LOG_WARN(kLog, id_ << " handler " << zhttp::type_name(packet.type) << " of " << packet.body.size()
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
  const bool open = close_state_ == CloseState::Open || close_state_ == CloseState::ClientClosed;
  if (ticket > 0 && open && close_reason_ == CloseReason::None) {
    credits_to_return_ += to_i64(ticket);
    return_credits(false);
  }
  if (writing_ == 0 && output_.empty()) after_output_drained();
}

// Credits go back in batches of a quarter buffer rather than one packet per message
// (Condure sends one per message; for small messages that doubles the packets to the
// handler). The handler so always holds three quarters of the buffer; the sweep tick
// returns a smaller remainder, so a handler waiting for more is held up a tick at most.
void WebSocketSession::return_credits(bool all) {
  if (paused_ || credits_to_return_ <= 0 || close_reason_ != CloseReason::None) return;
  if (!all && credits_to_return_ < to_i64(settings_.buffer_size_bytes / 4)) return;
  handler_credits_ += credits_to_return_;
  send_to_handler(credit_frame(settings_.instance_id, id_, out_seq_++, credits_to_return_));
  credits_to_return_ = 0;
}

void WebSocketSession::after_output_drained() {
  if (handoff_pending_ && close_reason_ == CloseReason::None) {
    // Everything queued reached the client: the handler may hand the session over (answered
    // with handoff-proceed); nothing more is read or sent until the next packet. Credits
    // for what was written go to the old owner first.
    return_credits(true);
    handoff_pending_ = false;
    paused_ = true;
    send_to_handler(control_frame(settings_.instance_id, id_, out_seq_++, zhttp::PacketType::HandoffProceed));
  }
  if (close_after_output_) close_after_output_ = false;  // closed() turns true
}

// ---------------------------------------------------------------- errors, time, teardown

void WebSocketSession::fail(std::uint16_t code, std::string_view why) {
  LOG_INFO(kLog, id_ << " client broke the WebSocket protocol (" << code << "): " << why);
  if (close_state_ == CloseState::Open || close_state_ == CloseState::ClientClosed) {
    websocket::append_close_frame(output_, code, why);
  }
  // The handler hears the session is over; a close would ask it for a close back.
  if (!handler_.empty() && close_state_ != CloseState::Finished) {
    send_to_handler(control_frame(settings_.instance_id, id_, out_seq_++, zhttp::PacketType::Cancel));
  }
  close_reason_ = CloseReason::ClientError;
  close_after_output_ = true;
  if (writing_ == 0 && output_.empty()) close_after_output_ = false;
}

void WebSocketSession::on_tick(Clock::time_point now) {
  if (close_reason_ != CloseReason::None) return;
  return_credits(true);
  if (now >= deadline_) {
    close(CloseReason::SessionTimeout);
  } else if (now >= client_deadline_) {
    close(CloseReason::ClientTimeout);
  }
}

void WebSocketSession::on_handler_unreachable() {
  if (close_reason_ != CloseReason::None || handler_.empty()) return;
  LOG_INFO(kLog, id_ << " handler " << handler_ << " is gone; closing with 1011");
  if (close_state_ == CloseState::Open || close_state_ == CloseState::ClientClosed) {
    websocket::append_close_frame(output_, websocket::kCloseInternalError, "handler went away");
  }
  close_state_ = CloseState::Finished;
  close_reason_ = CloseReason::HandlerGone;
  close_after_output_ = writing_ > 0 || !output_.empty();
}

void WebSocketSession::go_away() {
  if (close_reason_ != CloseReason::None) return;
  if (close_state_ == CloseState::Open || close_state_ == CloseState::ClientClosed) {
    websocket::append_close_frame(output_, websocket::kCloseGoingAway, {});
  }
  if (!handler_.empty() && close_state_ != CloseState::Finished) {
    send_to_handler(ws_close_frame(settings_.instance_id, id_, out_seq_++, websocket::kCloseGoingAway, {}));
  }
  close_state_ = CloseState::Finished;
  close_reason_ = CloseReason::Drained;
  close_after_output_ = writing_ > 0 || !output_.empty();
}

bool WebSocketSession::wants_keepalive() const {
  return close_reason_ == CloseReason::None && !handler_.empty() && !paused_ &&
         close_state_ != CloseState::Finished;
}

void WebSocketSession::close(CloseReason reason) {
  if (closed()) return;
  // As in the HTTP phase: the handler hears of a client that left or went quiet, of its
  // own overrun and of shutdown, but not of its own timeout, bad seq or cancel.
  const bool tell_handler = reason == CloseReason::ClientGone || reason == CloseReason::Shutdown ||
                            reason == CloseReason::ClientTimeout || reason == CloseReason::CreditOverrun;
  if (tell_handler && !handler_.empty() && close_state_ != CloseState::Finished && close_reason_ == CloseReason::None) {
    send_to_handler(control_frame(settings_.instance_id, id_, out_seq_++, zhttp::PacketType::Cancel));
  }
  close_reason_ = reason;
  close_after_output_ = false;
}

}  // namespace zedge::session
