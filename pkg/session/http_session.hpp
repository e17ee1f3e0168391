// The life of one client connection as a sans-I/O state machine: client bytes, handler
// packets, completed writes and the clock go in; bytes for the client, ZHTTP packets for
// handlers and a close decision come out. No sockets, threads or timers here, so every
// rule of reference §1 and §3 can be unit-tested byte for byte; pkg/server drives it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>
#include <functional>
#include <string>
#include <string_view>

#include "http1/request_parser.hpp"
#include "http1/response_writer.hpp"
#include "session/request_packet.hpp"
#include "zhttp/packet.hpp"

namespace zedge::session {

using Clock = std::chrono::steady_clock;

enum class Mode { Stream, Req };

struct SessionSettings {
  std::string instance_id = "condure";
  Mode mode = Mode::Stream;
  bool secure = false;  // TLS listener: https/wss uris
  std::size_t buffer_size_bytes = 8192;
  std::size_t body_buffer_size_bytes = 100000;
  // Condure closes a stream session whose handler sent nothing for 60 s (reference §1.8).
  std::chrono::milliseconds session_timeout{60000};
  std::chrono::milliseconds req_timeout{30000};
  std::chrono::milliseconds stream_timeout{1800000};
  // With no handler connected, how long a request waits for one before a 503.
  std::chrono::milliseconds handler_wait{5000};
};

enum class Route {
  StreamInit,   // PUSH: first packet of a session
  StreamReply,  // ROUTER: to the handler identity given as address
  Req,          // DEALER
};

// Where a session's packets go. The server forwards them to the ZeroMQ bridge; tests record them.
class PacketSink {
 public:
  virtual ~PacketSink() = default;
  virtual void send_packet(Route route, std::string_view address, std::string frame) = 0;
};

enum class CloseReason {
  None,
  Done,           // finished (non-persistent response, client left between requests)
  ClientGone,     // client closed or reset during a request: handler gets cancel
  HandlerEnded,   // handler sent cancel or error
  ProtocolError,  // handler broke the protocol (bad seq, bad header): no cancel
  CreditOverrun,  // handler sent more body than its credits: cancel, as Condure's local errors
  ClientError,    // client sent something we answered with an error status
  SessionTimeout, // handler silent too long (no cancel)
  ClientTimeout,  // --stream-timeout / --req-timeout (cancel in stream mode)
  Shutdown,       // process stopping: handler gets cancel
};

std::string_view close_reason_name(CloseReason reason);

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
  bool has_output() const { return !output_.empty(); }
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
  Clock::time_point deadline() const { return deadline_; }
  void on_tick(Clock::time_point now);

  // ---- keep-alive batching (reference §1.8): sessions whose handler is known
  bool wants_keepalive() const;
  std::string_view handler_address() const { return handler_; }
  // Takes the next outgoing seq for a keep-alive sent in a batch.
  std::int64_t take_keepalive_seq() { return out_seq_++; }

  // ---- state
  const std::string& request_id() const { return id_; }
  bool closed() const { return close_reason_ != CloseReason::None && !close_after_output_; }
  bool close_after_output() const { return close_after_output_; }
  CloseReason close_reason() const { return close_reason_; }
  void shutdown() { close(CloseReason::Shutdown); }
  // Between requests, with nothing in flight: gives back the memory the last request used,
  // so an idle keep-alive connection costs little (design.md §3).
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
  void start_response(const zhttp::Packet& packet, bool whole);
  void append_response_body(std::string_view body, bool more);
  void after_output_drained(Clock::time_point now);
  void answer_error(int status, std::string_view message);
  void answer_body_too_large();  // 413 for req mode's --body-buffer-size
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

  // The request in flight.
  Phase phase_ = Phase::AwaitingHead;
  std::string id_;
  std::string uri_;
  std::int64_t out_seq_ = 0;  // next seq zedge sends
  std::int64_t in_seq_ = 0;   // next seq expected from the handler
  std::string handler_;       // reply address: the latest `from` (reference §1.4)
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
  bool response_started_ = false;
  bool response_done_ = false;
  http1::ResponsePlan plan_;
};

}  // namespace zedge::session
