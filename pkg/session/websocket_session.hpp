// A connection after its WebSocket upgrade was accepted: client frames become ZHTTP packets
// and handler packets become frames, with credits both ways, the close handshake in either
// direction and RFC 6455 strictness toward the client (api/zhttp.md, "Where zedge differs
// from Condure"). Sans-I/O like HttpSession, which creates it and forwards its calls.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "session/session_types.hpp"
#include "utf8/utf8_validator.hpp"
#include "websocket/frame_parser.hpp"
#include "websocket/permessage_deflate.hpp"
#include "zhttp/packet.hpp"

namespace zedge::session {

// What the HTTP phase hands over when the handler accepted the upgrade.
struct WebSocketStart {
  std::string id;
  std::string handler;             // reply address
  std::int64_t out_seq = 0;        // next seq zedge sends
  std::int64_t in_seq = 0;         // next seq expected from the handler
  std::int64_t client_credits = 0; // client bytes the handler will take
  std::int64_t handler_credits = 0;  // bytes the handler may still send us
  std::string output;              // the 101 head, not yet written
  std::size_t writing = 0;         // output batches handed out and not yet written
  std::optional<websocket::DeflateParams> deflate;  // permessage-deflate was negotiated
};

class WebSocketSession : private websocket::FrameParser::Handler {
 public:
  WebSocketSession(const SessionSettings& settings, PacketSink& sink, WebSocketStart start, Clock::time_point now);
  ~WebSocketSession() override;

  std::size_t on_client_bytes(std::string_view input, Clock::time_point now);
  void on_client_closed();

  bool has_output() const { return !output_.empty(); }
  std::size_t take_output(std::string& out);
  void on_written(std::size_t ticket, Clock::time_point now);

  void on_handler_packet(const zhttp::Packet& packet, const zhttp::IdSeq& addressed, Clock::time_point now);

  Clock::time_point deadline() const { return deadline_; }
  void on_tick(Clock::time_point now);

  bool wants_keepalive() const;
  std::string_view handler_address() const { return handler_; }
  std::int64_t take_keepalive_seq() { return out_seq_++; }

  const std::string& request_id() const { return id_; }
  bool closed() const { return close_reason_ != CloseReason::None && !close_after_output_; }
  bool close_after_output() const { return close_after_output_; }
  CloseReason close_reason() const { return close_reason_; }
  void shutdown() { close(CloseReason::Shutdown); }
  void abort_protocol_error() { close(CloseReason::ProtocolError); }
  // The handler is gone: close 1011 to the client, nothing to the handler.
  void on_handler_unreachable();
  // Drain: close frame 1001 to the client, `close` 1001 to the handler, then the
  // connection ends once that is written.
  void go_away();

 private:
  // Close handshake (RFC 6455 §7): who has sent a close frame so far.
  enum class CloseState : std::uint8_t {
    Open,
    ClientClosed,  // client's close forwarded; waiting for the handler's
    ServerClosed,  // handler's close written; waiting for the client's
    Finished,      // both sent: the connection ends once output is written
  };

  // One thing for the handler, in the order the client sent it.
  struct Pending {
    zhttp::PacketType type = zhttp::PacketType::Data;
    bool binary = false;
    bool more = false;  // data: the message continues in a later packet
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
  void send_to_handler(std::string frame);

  bool accepts_handler_body(std::size_t bytes);
  bool start_client_message();
  void write_data(const zhttp::Packet& packet);
  void write_close(const zhttp::Packet& packet);
  void write_ping_pong(const zhttp::Packet& packet);
  void after_output_drained();
  void return_credits(bool all);
  void fail(std::uint16_t code, std::string_view why);
  void close(CloseReason reason);

  const SessionSettings& settings_;
  PacketSink& sink_;
  const std::string id_;
  std::string handler_;
  std::int64_t out_seq_;
  std::int64_t in_seq_;
  std::int64_t client_credits_;
  std::int64_t handler_credits_;

  websocket::FrameParser parser_;
  std::unique_ptr<websocket::MessageInflater> inflater_;  // only with permessage-deflate
  std::unique_ptr<websocket::MessageDeflater> deflater_;

  // Client -> handler.
  websocket::FrameHeader frame_;       // frame being parsed
  bool message_binary_ = false;
  bool message_compressed_ = false;
  bool frame_sent_whole_ = false;      // the frame went out directly, skip on_frame_end
  utf8::Utf8Validator utf8_;
  std::string piece_;                  // payload of the data frame being parsed
  std::string control_;                // payload of the control frame being parsed
  std::vector<Pending> pending_;       // waiting for credits, oldest first
  std::size_t held_bytes_ = 0;         // bytes in piece_ and pending_
  bool stalled_ = false;               // data is waiting for credits (counted once)
  std::uint16_t error_code_ = 0;       // set by a callback: fail once parsing stops
  std::string_view error_text_;

  // Handler -> client.
  std::string output_;
  std::size_t output_payload_bytes_ = 0;  // credit-bearing bytes in output_
  std::size_t writing_ = 0;
  std::size_t messages_queued_ = 0;    // messages in output_ and in the write in flight
  std::size_t messages_writing_ = 0;
  bool client_message_open_ = false;   // a handler message with `more` is in progress

  CloseState close_state_ = CloseState::Open;
  bool handoff_pending_ = false;
  bool paused_ = false;                // handoff-proceed sent: quiet until the next packet
  std::int64_t credits_to_return_ = 0; // written, not yet returned (batched; held while paused)
  Clock::time_point deadline_;
  Clock::time_point client_deadline_;
  CloseReason close_reason_ = CloseReason::None;
  bool close_after_output_ = false;
};

}  // namespace zedge::session
