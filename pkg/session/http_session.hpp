// The life of one client connection as a sans-I/O state machine: client bytes, handler
// packets, completed writes and the clock go in; bytes for the client, ZHTTP packets for
// handlers and a close decision come out. No sockets, threads or timers here, so every
// rule of api/zhttp.md can be unit-tested byte for byte; pkg/server drives it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "http1/request_parser.hpp"
#include "http1/response_writer.hpp"
#include "session/request_packet.hpp"
#include "session/session_types.hpp"
#include "session/websocket_session.hpp"
#include "zhttp/packet.hpp"

namespace zedge::session {


class HttpSession {
 public:
  // `next_id` makes request ids ("<worker>-<slot>-<counter hex>").
  HttpSession(const SessionSettings& settings, PeerInfo peer, PacketSink& sink,
              std::function<std::string()> next_id, Clock::time_point now);

  // ---- client side
  // Parses what it can of `input` (bytes received and not yet consumed) and returns how
  // many bytes it consumed; the caller keeps the rest and offers them again later.
  std::size_t on_client_bytes(std::string_view input, Clock::time_point now);
  // The client closed its side or the connection failed.
  void on_client_closed();

  // ---- output to the client
  bool has_output() const { return ws_ ? ws_->has_output() : !output_.empty(); }
  // Moves pending output into `out` (which must be empty); returns a ticket for on_written.
  std::size_t take_output(std::string& out);
  // A take_output() batch reached the client.
  void on_written(std::size_t ticket, Clock::time_point now);

  // ---- handler side
  void on_handler_packet(const zhttp::Packet& packet, const zhttp::IdSeq& addressed, Clock::time_point now);
  // Whether handlers are connected to the PUSH socket; a request waiting for one goes out
  // when this turns true.
  void on_handlers_available(bool available, Clock::time_point now);

  // ---- time
  Clock::time_point deadline() const { return ws_ ? ws_->deadline() : deadline_; }
  void on_tick(Clock::time_point now);

  // ---- keep-alive batching: sessions whose handler is known
  bool wants_keepalive() const;
  std::string_view handler_address() const { return ws_ ? ws_->handler_address() : handler_; }
  // Takes the next outgoing seq for a keep-alive sent in a batch.
  std::int64_t take_keepalive_seq() { return ws_ ? ws_->take_keepalive_seq() : out_seq_++; }

  // ---- state
  const std::string& request_id() const { return ws_ ? ws_->request_id() : id_; }
  bool closed() const {
    return ws_ ? ws_->closed() : close_reason_ != CloseReason::None && !close_after_output_;
  }
  bool close_after_output() const { return ws_ ? ws_->close_after_output() : close_after_output_; }
  CloseReason close_reason() const { return ws_ ? ws_->close_reason() : close_reason_; }
  // A request went to the handlers and none has answered yet (its address is unknown).
  bool awaiting_handler() const {
    return !ws_ && settings_.mode == Mode::Stream && phase_ == Phase::InRequest && handler_.empty() &&
           !id_.empty() && !response_done_;
  }
  // Part of the response to the request in flight is out, and not all of it has come
  // from the handler yet.
  bool response_in_progress() const {
    return !ws_ && close_reason_ == CloseReason::None && response_started_ && !response_done_;
  }
  // True once the connection speaks WebSocket.
  bool is_websocket() const { return ws_ != nullptr; }

  // ---- graceful drain (README.md, "Admin API, metrics and drain")
  // While draining, responses carry `Connection: close`; cancel_drain undoes it.
  void set_draining(bool draining);
  bool draining() const { return draining_; }
  // Between requests with nothing in flight (a WebSocket is never idle).
  bool idle() const;
  // Draining: closes a connection that served a request and has nothing in progress.
  void close_if_idle();
  // From now on a request that arrives gets 503 with `Connection: close` instead of going
  // to a handler (the connection came out of a closing listener's backlog with no room
  // left, or after the drain deadline).
  void refuse_requests();
  // The drain deadline: a WebSocket gets close 1001 (its handler a `close` 1001). A request
  // not answered yet gets 503 with `Connection: close` (its handler a `cancel`); a response
  // already started is cut (`cancel`); a new connection's first request, when it comes,
  // gets 503; a connection between requests closes.
  void go_away();
  void shutdown();
  // The handler broke the protocol for this session (e.g. an unknown packet type): close.
  void abort_protocol_error();
  // Our packets to this session's handler cannot be delivered (it is gone): a request not
  // yet answered gets 502, a started response is cut short, a WebSocket gets close 1011.
  void on_handler_unreachable();
  // Between requests, with nothing in flight: gives back the memory the last request used,
  // so an idle keep-alive connection costs little.
  void release_idle_memory();

 private:
  enum class Phase { AwaitingHead, WaitingForHandler, InRequest };

  bool parse_head(std::string_view input, std::size_t& used);
  bool forward_body(std::string_view input, std::size_t& used);
  void begin_request(Clock::time_point now);
  void send_first_packet();
  bool forward_stream_body(std::string_view input, std::size_t& used);
  bool send_body_pieces();
  bool collect_req_body(std::string_view input, std::size_t& used);
  void send_to_handler(std::string frame);
  void finish_request_if_done(Clock::time_point now);
  void reset_request();

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
  void answer_error(int status, std::string_view message);
  void answer_body_too_large();  // 413 for req mode's --body-buffer-size
  void answer_shutting_down();   // 503 at or after the drain deadline
  void report_response(int status);
  void close(CloseReason reason);
  void arm(std::chrono::milliseconds timeout, Clock::time_point now);

  const SessionSettings& settings_;
  const PeerInfo peer_;
  PacketSink& sink_;
  std::function<std::string()> next_id_;
  http1::RequestParser parser_;

  std::string output_;
  std::size_t output_body_bytes_ = 0;   // response body bytes in output_
  std::size_t writing_ = 0;             // batches handed out and not yet written
  Clock::time_point deadline_;
  Clock::time_point client_deadline_ = Clock::time_point::max();  // --stream-timeout
  CloseReason close_reason_ = CloseReason::None;
  bool close_after_output_ = false;
  bool handlers_available_ = true;
  bool client_eof_ = false;
  bool head_started_ = false;  // a byte of the current request head has arrived

  // The request in flight.
  Phase phase_ = Phase::AwaitingHead;
  std::string id_;
  std::string uri_;
  std::int64_t out_seq_ = 0;  // next seq zedge sends
  std::int64_t in_seq_ = 0;   // next seq expected from the handler
  std::string handler_;       // reply address: the latest `from`
  bool has_body_ = false;
  bool body_done_ = false;
  bool handler_seen_ = false;
  bool handoff_pending_ = false;  // handoff-start received, proceed once output drains
  bool paused_ = false;           // handoff-proceed sent: nothing more until the next packet
  std::int64_t body_credits_ = 0;        // request body bytes the handler will take
  std::int64_t response_credits_ = 0;    // response body bytes the handler may still send
  std::int64_t credits_to_return_ = 0;   // written while paused, returned on resume
  std::string body_out_;                 // req mode: the whole body so far
  // Stream mode: body pieces waiting for credits, oldest first. A vector, not a deque:
  // libstdc++'s deque allocates ~600 bytes even when empty, on every connection.
  std::vector<std::string> body_pieces_;
  std::size_t body_held_bytes_ = 0;      // bytes in body_pieces_ (at most a buffer's worth)
  bool final_body_sent_ = false;
  bool stalled_ = false;                 // body is waiting for credits (counted once)
  bool response_started_ = false;
  bool response_done_ = false;
  http1::ResponsePlan plan_;
  std::uint64_t body_left_ = 0;  // Content-Length framing: body bytes still to come
  bool upgrade_requested_ = false;
  bool draining_ = false;
  bool refusing_ = false;       // requests get 503 (refuse_requests, go_away)
  bool request_begun_ = false;  // a request head was complete on this connection (never reset)
  Clock::time_point now_;               // time of the event being handled
  Clock::time_point request_started_;   // for the request duration metric
  int status_ = 0;                      // status of the response in flight  // a valid WebSocket upgrade waits for the handler
  // After the handler accepted the upgrade, the connection is a WebSocket and every call
  // goes there.
  std::unique_ptr<WebSocketSession> ws_;
};

}  // namespace zedge::session
