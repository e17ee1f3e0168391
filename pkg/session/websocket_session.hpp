// A connection after its WebSocket upgrade was accepted: client frames become ZHTTP packets
// and handler packets become frames, with credits both ways, the close handshake in either
// direction and RFC 6455 strictness toward the client (api/zhttp.md, "Where zedge differs
// from Condure"). Sans-I/O like HttpSession, which creates it when a handler accepts the
// upgrade; the connection then holds this phase instead.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "session/handler_link.hpp"
#include "session/session_end.hpp"
#include "session/session_phase.hpp"
#include "session/session_types.hpp"
#include "utf8/utf8_validator.hpp"
#include "websocket/frame_parser.hpp"
#include "websocket/permessage_deflate.hpp"
#include "zhttp/packet.hpp"

namespace zedge::session {

// What the HTTP phase hands over when the handler accepted the upgrade.
struct WebSocketStart {
  HandlerLinkState link;    // id, reply address, seqs, credits (send_credits: client bytes)
  std::string output;       // the 101 head, not yet written
  std::size_t writing = 0;  // output batches handed out and not yet written
  bool draining = false;
  std::optional<websocket::DeflateParams> deflate;  // permessage-deflate was negotiated
};

class WebSocketSession final : public SessionPhase, private websocket::FrameParser::Handler {
 public:
  WebSocketSession(const SessionSettings& settings, PacketSink& sink, WebSocketStart start, Clock::time_point now);
  ~WebSocketSession() override;

  std::size_t on_client_bytes(std::string_view input, Clock::time_point now) override;
  void on_client_closed() override;

  bool has_output() const override { return !output_.empty(); }
  std::size_t take_output(std::string& out) override;
  void on_written(std::size_t ticket, Clock::time_point now) override;

  void on_handler_packet(const zhttp::Packet& packet, const zhttp::IdSeq& addressed, Clock::time_point now) override;
  void on_handlers_available(bool, Clock::time_point) override {}
  // The handler is gone: close 1011 to the client, nothing to the handler.
  void on_handler_unreachable() override;
  void abort_protocol_error() override { close(CloseReason::ProtocolError); }

  Clock::time_point deadline() const override { return deadline_; }
  void on_tick(Clock::time_point now) override;

  bool wants_keepalive() const override;

  bool is_websocket() const override { return true; }
  bool awaiting_handler() const override { return false; }
  bool response_in_progress() const override { return false; }

  // A WebSocket is never idle: a drain ends it only at its deadline (go_away).
  bool idle() const override { return false; }
  void close_if_idle() override {}
  void refuse_requests() override {}
  // Close frame 1001 to the client, `close` 1001 to the handler, then the connection ends
  // once that is written.
  void go_away() override;
  void shutdown() override { close(CloseReason::Shutdown); }
  void release_idle_memory() override {}

 private:
  // Close handshake (RFC 6455 §7): who has sent a close frame so far.
  enum class CloseState : std::uint8_t {
    // Messages flow both ways. Next: ClientClosed (client's close frame), ServerClosed
    // (handler's `close`), Finished (zedge closes: error, handler gone, drain).
    Open,
    // Client's close forwarded; nothing more is read. The handler may still send; its
    // `close` leads to Finished.
    ClientClosed,
    // Handler's close written; nothing more goes to the client. The client's close frame
    // leads to Finished.
    ServerClosed,
    // Both sides are done: the connection ends once the output is written.
    Finished,
  };
  // The handler may still send to the client.
  bool client_may_receive() const {
    return close_state_ == CloseState::Open || close_state_ == CloseState::ClientClosed;
  }
  // The client's close frame came: nothing more it sends counts.
  bool client_finished() const {
    return close_state_ == CloseState::ClientClosed || close_state_ == CloseState::Finished;
  }
  // The handler has the session and has not heard of its end yet.
  bool handler_holds_session() const { return link_.known() && close_state_ != CloseState::Finished; }
  bool output_pending() const { return writing_ > 0 || !output_.empty(); }

  // One thing for the handler, in the order the client sent it.
  struct Pending {
    zhttp::PacketType type = zhttp::PacketType::Data;
    bool binary = false;
    bool more = false;                  // data: the message continues in a later packet
    std::optional<std::uint16_t> code;  // close
    std::string body;
  };

  // FrameParser::Handler
  void on_frame_header(const websocket::FrameHeader& header) override;
  void on_frame_payload(std::string_view piece) override;
  void on_frame_end() override;

  void take_message_bytes(std::string_view bytes);
  void inflate_message_bytes(std::string_view bytes, bool final_piece);
  void check_text(std::size_t from);
  bool try_send_whole_frame(std::string_view payload);
  void queue_piece(bool more);
  void on_client_control();
  bool send_pending();

  bool accepts_handler_body(std::size_t bytes);
  bool start_client_message();
  void write_data(const zhttp::Packet& packet);
  void write_close(const zhttp::Packet& packet);
  void write_ping_pong(const zhttp::Packet& packet);
  void after_output_drained();
  void return_credits(bool all);
  void fail(std::uint16_t code, std::string_view why);
  void close(CloseReason reason);

  websocket::FrameParser parser_;
  std::unique_ptr<websocket::MessageInflater> inflater_;  // only with permessage-deflate
  std::unique_ptr<websocket::MessageDeflater> deflater_;

  // Client -> handler.
  websocket::FrameHeader frame_;  // frame being parsed
  bool message_binary_ = false;
  bool message_compressed_ = false;
  bool frame_sent_whole_ = false;  // the frame went out directly, skip on_frame_end
  utf8::Utf8Validator utf8_;
  std::string piece_;             // payload of the data frame being parsed
  std::string control_;           // payload of the control frame being parsed
  std::vector<Pending> pending_;  // waiting for credits, oldest first
  std::size_t held_bytes_ = 0;    // bytes in piece_ and pending_
  bool stalled_ = false;          // data is waiting for credits (counted once)
  std::uint16_t error_code_ = 0;  // set by a callback: fail once parsing stops
  const char* error_text_ = "";   // a string literal, so a copy of the state stays valid

  // Handler -> client.
  std::string output_;
  std::size_t output_payload_bytes_ = 0;  // credit-bearing bytes in output_
  std::size_t writing_ = 0;
  std::size_t messages_queued_ = 0;  // messages in output_ and in the write in flight
  std::size_t messages_writing_ = 0;
  bool client_message_open_ = false;  // a handler message with `more` is in progress

  CloseState close_state_ = CloseState::Open;
  Clock::time_point deadline_;
  Clock::time_point client_deadline_;
};

}  // namespace zedge::session
