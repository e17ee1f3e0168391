// The WebSocket phase, client -> handler: frames are parsed, checked (RFC 6455, UTF-8,
// permessage-deflate) and sent to the handler as packets within its credits. Handler ->
// client and endings: websocket_session_output.cpp.
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

bool is_data(websocket::Opcode op) { return !websocket::is_control(op); }

}  // namespace

WebSocketSession::WebSocketSession(const SessionSettings& settings, PacketSink& sink, WebSocketStart start,
                                   Clock::time_point now)
    : SessionPhase(settings, sink, kLog, std::move(start.link)),
      parser_(websocket::FrameParserOptions{start.deflate.has_value(), settings.websocket_message_max_bytes}),
      output_(std::move(start.output)),
      writing_(start.writing),
      deadline_(now + settings.session_timeout),
      client_deadline_(now + settings.stream_timeout) {
  draining_ = start.draining;
  if (start.deflate) {
    inflater_ = std::make_unique<websocket::MessageInflater>(*start.deflate, settings.websocket_message_max_bytes);
    deflater_ = std::make_unique<websocket::MessageDeflater>(*start.deflate);
  }
}

WebSocketSession::~WebSocketSession() = default;

// ---------------------------------------------------------------- client -> handler

std::size_t WebSocketSession::on_client_bytes(std::string_view input, Clock::time_point now) {
  if (!end_.open()) return 0;
  // Nothing after a client's close frame counts (RFC 6455 §5.5.1).
  if (client_finished()) return input.size();
  if (link_.paused()) return 0;  // handoff: the next owner gets the rest
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
    if (client_finished()) {
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
  if (error_code_ != 0 || client_finished()) return;
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
  if (error_code_ != 0 || client_finished()) return;
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
  if (piece.size() == frame_.payload_length && piece_.empty() && pending_.empty() &&
      link_.state().send_credits >= to_i64(piece.size())) {
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
  link_.state().send_credits -= to_i64(payload.size());
  link_.send(ws_data_frame(settings_.instance_id, link_.id(), link_.next_seq(), message_binary_, payload, !frame_.fin));
  if (frame_.fin && settings_.events != nullptr) settings_.events->websocket_message(true);
  return true;
}

void WebSocketSession::on_frame_end() {
  if (error_code_ != 0 || client_finished()) return;
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
    default: return;  // the parser lets no other opcode through
  }
  held_bytes_ += item.body.size();
  pending_.push_back(std::move(item));
}

// Sends what is queued, in order; data needs credits, control packets do not (they are
// at most 125 bytes, RFC 6455 §5.5). Returns whether anything was sent.
bool WebSocketSession::send_pending() {
  std::int64_t& credits = link_.state().send_credits;
  bool sent = false;
  std::size_t done = 0;
  for (; done < pending_.size() && !link_.paused(); ++done) {
    Pending& item = pending_[done];
    if (item.type == zhttp::PacketType::Data) {
      if (!item.body.empty() && credits <= 0) {
        if (!stalled_ && settings_.events != nullptr) settings_.events->credit_stall();
        stalled_ = true;  // one stall per wait
        break;
      }
      stalled_ = false;
      const std::size_t n = std::min(item.body.size(), static_cast<std::size_t>(std::max<std::int64_t>(credits, 0)));
      const bool whole = n == item.body.size();
      link_.send(ws_data_frame(settings_.instance_id, link_.id(), link_.next_seq(), item.binary,
                               std::string_view(item.body).substr(0, n), whole ? item.more : true));
      credits -= to_i64(n);
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
      link_.send(ws_close_frame(settings_.instance_id, link_.id(), link_.next_seq(), item.code, item.body));
    } else {
      link_.send(ws_ping_pong_frame(settings_.instance_id, link_.id(), link_.next_seq(), item.type, item.body));
    }
    sent = true;
  }
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(done));
  if (close_state_ == CloseState::Finished && pending_.empty() && end_.open()) {
    // Both close frames are out: the connection ends when our output is written.
    end_.close_when_written(CloseReason::Done, output_pending());
  }
  return sent;
}

void WebSocketSession::on_client_closed() {
  // After its close frame a client may close at once; the handler already has the close.
  if (client_finished()) {
    if (!closed()) close(CloseReason::Done);
    return;
  }
  close(CloseReason::ClientGone);
}

}  // namespace zedge::session
