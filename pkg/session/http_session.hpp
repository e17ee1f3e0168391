// The HTTP phase of a client connection's session: requests and responses over HTTP/1.x,
// one request at a time, as a sans-I/O state machine (see session_phase.hpp). When a
// handler accepts a WebSocket upgrade it hands over a WebSocketSession with everything the
// connection needs next (take_next_phase()).
//
// State, all plain data: the connection's (output, timers, drain flags, how it ends), the
// request in flight (ActiveRequest) and the handler link of that request (link_).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "http1/request_parser.hpp"
#include "session/active_request.hpp"
#include "session/handler_link.hpp"
#include "session/request_packet.hpp"
#include "session/session_end.hpp"
#include "session/session_phase.hpp"
#include "session/session_types.hpp"
#include "session/websocket_session.hpp"
#include "zhttp/packet.hpp"

namespace zedge::session {

class HttpSession final : public SessionPhase {
 public:
  // `next_id` makes request ids ("<worker>-<slot>-<counter hex>").
  HttpSession(const SessionSettings& settings, PeerInfo peer, PacketSink& sink, std::function<std::string()> next_id,
              Clock::time_point now);
  ~HttpSession() override;

  std::size_t on_client_bytes(std::string_view input, Clock::time_point now) override;
  void on_client_closed() override;

  bool has_output() const override { return !output_.empty(); }
  std::size_t take_output(std::string& out) override;
  void on_written(std::size_t ticket, Clock::time_point now) override;

  void on_handler_packet(const zhttp::Packet& packet, const zhttp::IdSeq& addressed, Clock::time_point now) override;
  void on_handlers_available(bool available, Clock::time_point now) override;
  // A request not yet answered gets 502, a started response is cut short.
  void on_handler_unreachable() override;
  void abort_protocol_error() override { close(CloseReason::ProtocolError); }
  std::unique_ptr<SessionPhase> take_next_phase() override;

  Clock::time_point deadline() const override { return deadline_; }
  void on_tick(Clock::time_point now) override;

  bool wants_keepalive() const override;

  bool is_websocket() const override { return false; }
  bool awaiting_handler() const override;
  bool response_in_progress() const override;

  bool idle() const override;
  void close_if_idle() override;
  void refuse_requests() override { refusing_ = true; }
  // A request not answered yet gets 503 with `Connection: close` (its handler a `cancel`);
  // a response already started is cut (`cancel`); a new connection's first request, when it
  // comes, gets 503; a connection between requests closes.
  void go_away() override;
  void shutdown() override { close(CloseReason::Shutdown); }
  void release_idle_memory() override;

 private:
  using Stage = ActiveRequest::Stage;

  // Client -> handler (http_session.cpp).
  bool parse_head(std::string_view input, std::size_t& used);
  bool forward_body(std::string_view input, std::size_t& used);
  // One parser step over body bytes: a piece of body (parser_.body_data()), its end
  // (body_done set), a client error (answered), or nothing until more input comes.
  enum class BodyStep { Piece, End, Failed, NeedMore };
  BodyStep read_body(std::string_view input, std::size_t& used);
  bool forward_stream_body(std::string_view input, std::size_t& used);
  bool send_body_pieces();
  bool collect_req_body(std::string_view input, std::size_t& used);
  void begin_request(Clock::time_point now);
  void send_first_packet();
  void finish_request_if_done(Clock::time_point now);
  void start_next_request();

  // Handler -> client (http_session_response.cpp).
  void on_stream_packet(const zhttp::Packet& packet);
  void on_req_reply(const zhttp::Packet& packet);
  void on_upgrade_reply(const zhttp::Packet& packet, Clock::time_point now);
  void accept_websocket(const zhttp::Packet& packet, Clock::time_point now);
  void start_response(const zhttp::Packet& packet, bool whole);
  void append_response_body(std::string_view body, bool more);
  // The handler's body disagrees with its own Content-Length: more bytes (never written)
  // or an end short of it. Either way the connection ends after what was written.
  void reject_body_past_length(std::size_t bytes);
  void close_short_of_length();
  void after_output_drained(Clock::time_point now);
  void report_response(int status);

  // Answers zedge gives itself, and endings (http_session_ending.cpp).
  void answer_error(int status, std::string_view message);
  void answer_body_too_large();  // 413 for req mode's --body-buffer-size
  void answer_shutting_down();   // 503 at or after the drain deadline
  // Writes a whole `status` response with `body` and ends the connection after it.
  void answer(int status, std::string_view body, CloseReason reason);
  // A stream-mode handler has the request and has not finished its response: it is owed
  // a `cancel` if the request is abandoned.
  bool handler_holds_request() const;
  void cancel_handler_request();
  // Served a request, and nothing of the next one has arrived or is left to write.
  bool between_requests() const;
  bool output_pending() const { return writing_ > 0 || !output_.empty(); }
  void close(CloseReason reason);
  void arm(std::chrono::milliseconds timeout, Clock::time_point now) { deadline_ = now + timeout; }

  const PeerInfo peer_;
  PacketSink& sink_;
  std::function<std::string()> next_id_;
  http1::RequestParser parser_;

  // The connection.
  std::string output_;
  std::size_t output_body_bytes_ = 0;                             // response body bytes in output_ (earn credits)
  std::size_t writing_ = 0;                                       // batches handed out and not yet written
  Clock::time_point deadline_;                                    // session / req / header / handler-wait timer
  Clock::time_point client_deadline_ = Clock::time_point::max();  // --stream-timeout
  bool handlers_available_ = true;
  bool client_eof_ = false;
  bool refusing_ = false;       // requests get 503 (refuse_requests, go_away)
  bool request_begun_ = false;  // a request head was complete on this connection
  Clock::time_point now_;       // time of the event being handled

  // The request in flight (its handler: link_).
  ActiveRequest request_;

  // Set when the handler accepted an upgrade; the owner takes it.
  std::unique_ptr<WebSocketSession> next_phase_;
};

}  // namespace zedge::session
