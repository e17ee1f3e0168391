// One client connection on one worker: reads HTTP/1.x requests, turns each into a ZHTTP
// session (stream mode) or request (req mode), and writes the handler's answer back.
// Requests on a connection are handled strictly one at a time; pipelined bytes wait in
// the input buffer (reference §3.3).
#pragma once

#include <asio.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "http1/request_parser.hpp"
#include "http1/response_writer.hpp"
#include "server/connection_settings.hpp"
#include "zhttp/packet.hpp"

namespace zedge::server {

class Worker;

class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
 public:
  using Socket = asio::generic::stream_protocol::socket;

  HttpConnection(Worker& worker, std::uint32_t slot, Socket socket, ListenerInfo listener,
                 PeerInfo peer);

  void start();
  // The id of the request in flight ("" between requests); handler packets for other ids
  // are stale and ignored.
  const std::string& request_id() const { return id_; }
  void on_handler_packet(const zhttp::Packet& packet, const zhttp::IdSeq& addressed);
  // Process shutdown: close now, telling the handler of an open session.
  void shutdown() { close(CloseReason::Shutdown); }
  // Called by the worker's periodic sweep: closes the connection if its deadline passed.
  void expire_if_due(std::chrono::steady_clock::time_point now) {
    if (now >= deadline_) close(CloseReason::Timeout);
  }

 private:
  enum class Phase { AwaitingHead, InRequest };
  enum class CloseReason { Done, ClientGone, HandlerEnded, ProtocolError, Timeout, Shutdown };

  // Reading and parsing.
  void want_read();
  void on_readable(const asio::error_code& ec);
  void advance();
  bool parse_head();
  bool forward_body();
  void consume_input(std::size_t n);

  // Request life cycle.
  void begin_request();
  void send_request_body_packet(bool more);
  void finish_request_if_done();
  void reset_request();

  // Handler side.
  void on_stream_packet(const zhttp::Packet& packet);
  void on_req_reply(const zhttp::Packet& packet);
  void start_response(const zhttp::Packet& packet, bool force_content_length);
  void append_response_body(std::string_view body, bool more);
  void send_to_handler(std::string frame);

  // Writing.
  void flush();
  void on_written(const asio::error_code& ec);
  void answer_error(int status, std::string_view message);

  // Timers and teardown.
  void arm_timer(std::chrono::seconds timeout);
  void close(CloseReason reason);

  Worker& worker_;
  const std::uint32_t slot_;
  Socket socket_;
  const ListenerInfo listener_;
  const PeerInfo peer_;
  // One deadline per connection, checked by the worker's sweep instead of an Asio timer
  // each: re-arming is a store, and an idle connection carries no timer state.
  std::chrono::steady_clock::time_point deadline_;
  http1::RequestParser parser_;

  std::string in_;  // client bytes not yet parsed (bounded by the buffer size)
  std::string out_pending_;
  std::string out_writing_;
  std::size_t pending_body_bytes_ = 0;  // response body bytes in out_pending_
  std::size_t writing_body_bytes_ = 0;  // response body bytes in out_writing_
  bool reading_ = false;
  bool writing_ = false;
  bool client_eof_ = false;
  bool input_maybe_pending_ = false;  // the last read was cut short by our buffer
  bool closed_ = false;
  bool close_after_flush_ = false;

  // The request in flight.
  Phase phase_ = Phase::AwaitingHead;
  std::string id_;
  std::int64_t out_seq_ = 0;  // next seq zedge sends
  std::int64_t in_seq_ = 0;   // next seq expected from the handler
  std::string handler_;       // reply address: the latest `from` (reference §1.4)
  bool has_body_ = false;
  bool body_done_ = false;
  bool handler_seen_ = false;
  bool handoff_pending_ = false;
  std::int64_t body_credits_ = 0;
  std::string body_out_;  // request body bytes not yet sent to the handler
  bool response_started_ = false;
  bool response_done_ = false;
  http1::ResponsePlan plan_;
};

}  // namespace zedge::server
