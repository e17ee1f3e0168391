#include "server/http_connection.hpp"

#include <algorithm>

#include "log/log.hpp"
#include "server/request_packet.hpp"
#include "server/worker.hpp"

namespace zedge::server {
namespace {

constexpr const char* kLog = "conn";
// Condure's limit on the rebuilt request uri (reference §1.4).
constexpr std::size_t kUriMaxBytes = 4096;

std::int64_t to_i64(std::size_t n) { return static_cast<std::int64_t>(n); }

// A buffer that grew past this is given back when empty; a smaller one is kept for the
// next request, so a busy keep-alive connection does not allocate on every request.
constexpr std::size_t kKeptBufferBytes = 512;

void release_if_large(std::string& buffer) {
  if (buffer.empty() && buffer.capacity() > kKeptBufferBytes) std::string().swap(buffer);
}

}  // namespace

HttpConnection::HttpConnection(Worker& worker, std::uint32_t slot, Socket socket,
                               ListenerInfo listener, PeerInfo peer)
    : worker_(worker),
      slot_(slot),
      socket_(std::move(socket)),
      listener_(listener),
      peer_(std::move(peer)),
      parser_(http1::ParserLimits{worker.settings().buffer_size_bytes, 64, kUriMaxBytes}) {}

void HttpConnection::start() {
  asio::error_code ec;
  socket_.non_blocking(true, ec);
  // The session timer runs from accept, so a client that never sends a request is
  // closed like in Condure (reference §1.8, §3.3).
  arm_timer(listener_.mode == Mode::Stream ? worker_.settings().session_timeout
                                           : worker_.settings().req_timeout);
  want_read();
}

// ---------------------------------------------------------------- reading and parsing

void HttpConnection::want_read() {
  if (reading_ || closed_ || client_eof_ || close_after_flush_) return;
  if (in_.size() >= worker_.settings().buffer_size_bytes) return;  // full: backpressure
  reading_ = true;
  if (input_maybe_pending_) {
    // The last read filled what we asked for, so the kernel may hold more; the
    // edge-triggered reactor will not signal those bytes again, so read them now.
    asio::post(worker_.io(), [self = shared_from_this()] { self->on_readable({}); });
    return;
  }
  // Wait for readability first and read only then, so idle connections hold no buffer.
  socket_.async_wait(Socket::wait_read,
                     [self = shared_from_this()](const asio::error_code& ec) { self->on_readable(ec); });
}

void HttpConnection::on_readable(const asio::error_code& ec) {
  reading_ = false;
  if (closed_) return;
  if (ec) {
    close(CloseReason::ClientGone);
    return;
  }
  // Read into the worker's scratch buffer and keep only what arrived: an idle connection
  // holds no buffer, and nothing is zero-filled per read.
  const std::size_t room = worker_.settings().buffer_size_bytes - in_.size();
  auto scratch = worker_.read_scratch();
  asio::error_code read_ec;
  const std::size_t wanted = std::min(room, scratch.size());
  const std::size_t n = socket_.read_some(asio::buffer(scratch.data(), wanted), read_ec);
  in_.append(scratch.data(), n);
  input_maybe_pending_ = !read_ec && n == wanted;
  if (read_ec == asio::error::would_block || read_ec == asio::error::try_again) {
    want_read();
    return;
  }
  if (read_ec) {
    client_eof_ = true;
    // A client that leaves between requests simply closes; one that leaves during a
    // request abandons it, and the handler is told (reference §3.9).
    if (phase_ == Phase::AwaitingHead && in_.empty()) {
      close(CloseReason::Done);
    } else if (!(phase_ == Phase::InRequest && response_done_)) {
      close(CloseReason::ClientGone);
    }
    return;
  }
  advance();
}

void HttpConnection::consume_input(std::size_t n) { in_.erase(0, n); }

void HttpConnection::advance() {
  while (!closed_ && !close_after_flush_) {
    const bool progressed = phase_ == Phase::AwaitingHead ? parse_head() : forward_body();
    if (!progressed) break;
  }
  if (in_.empty() && phase_ == Phase::AwaitingHead) release_if_large(in_);
  want_read();
  flush();
}

bool HttpConnection::parse_head() {
  if (in_.empty()) return false;
  const auto step = parser_.feed(in_);
  consume_input(step.consumed);
  switch (step.event) {
    case http1::RequestParser::Event::NeedMore: return false;
    case http1::RequestParser::Event::HeadComplete: begin_request(); return true;
    case http1::RequestParser::Event::Error:
      answer_error(parser_.error().status, parser_.error().message);
      return false;
    case http1::RequestParser::Event::BodyData:
    case http1::RequestParser::Event::MessageComplete: return step.consumed > 0;
  }
  return false;
}

// Moves request body bytes from the input buffer toward the handler: in stream mode only
// within the credits it granted (reference §1.7); in req mode into one whole body.
bool HttpConnection::forward_body() {
  if (!has_body_ || body_done_) return false;
  const bool stream = listener_.mode == Mode::Stream;
  if (stream && (!handler_seen_ || body_credits_ <= 0)) return false;
  std::size_t budget = in_.size();
  if (stream) budget = std::min(budget, static_cast<std::size_t>(body_credits_));
  std::size_t used = 0;
  bool progressed = false;
  while (!body_done_) {
    const auto step = parser_.feed(std::string_view(in_).substr(used, budget - used));
    used += step.consumed;
    if (step.consumed > 0) progressed = true;
    if (step.event == http1::RequestParser::Event::BodyData) {
      // Condure sends one packet per client chunk; the held piece goes out once we know
      // whether it is the last (reference §1.7).
      if (stream && !body_out_.empty()) send_request_body_packet(true);
      body_out_.append(parser_.body_data());
    } else if (step.event == http1::RequestParser::Event::MessageComplete) {
      body_done_ = true;
      progressed = true;
    } else if (step.event == http1::RequestParser::Event::Error) {
      consume_input(used);
      answer_error(parser_.error().status, parser_.error().message);
      return false;
    } else {
      break;  // NeedMore
    }
  }
  consume_input(used);
  if (stream) {
    // A chunked body ends with an empty packet of its own, as in Condure.
    const bool chunked = parser_.head().body_kind == http1::BodyKind::Chunked;
    if (!body_out_.empty()) send_request_body_packet(!body_done_ || chunked);
    if (body_done_ && chunked) send_request_body_packet(false);
  } else if (body_out_.size() > worker_.settings().body_buffer_size_bytes) {
    answer_error(413, "Request body exceeds the limit of " +
                          std::to_string(worker_.settings().body_buffer_size_bytes) + " bytes.");
    return false;
  } else if (body_done_) {
    const std::string uri = request_uri(parser_.head(), listener_.secure);
    const RequestContext ctx{worker_.settings().instance_id, id_, listener_.secure, &peer_};
    worker_.send_to_bridge({bridge::ToBridge::Route::Req, {}, req_request_frame(ctx, parser_.head(), uri, body_out_)});
    std::string().swap(body_out_);
  }
  if (body_done_) finish_request_if_done();
  return progressed;
}

// ---------------------------------------------------------------- request life cycle

void HttpConnection::begin_request() {
  const auto& head = parser_.head();
  const bool stream = listener_.mode == Mode::Stream;
  if (head.websocket_upgrade) {
    if (!stream) {
      // Condure's exact answer on req listeners (reference §1.11).
      answer_error(400, "WebSockets not supported on req mode interface.");
    } else {
      answer_error(501, "WebSocket is not supported by this zedge build yet.");
    }
    return;
  }
  const std::string uri = request_uri(head, listener_.secure);
  if (uri.size() > kUriMaxBytes) {
    answer_error(414, "Request URI exceeds the limit of 4096 bytes.");
    return;
  }
  phase_ = Phase::InRequest;
  id_ = worker_.next_request_id(slot_);
  has_body_ = head.body_kind == http1::BodyKind::Chunked ||
              (head.body_kind == http1::BodyKind::ContentLength && head.content_length > 0);
  if (!has_body_) {
    // Let the parser finish the (empty) message so it is ready for the next request.
    const auto step = parser_.feed(std::string_view(in_).substr(0, 0));
    consume_input(step.consumed);
    body_done_ = true;
  }
  LOG_DEBUG(kLog, id_ << " " << head.method << " " << uri);
  const RequestContext ctx{worker_.settings().instance_id, id_, listener_.secure, &peer_};
  if (stream) {
    worker_.send_to_bridge({bridge::ToBridge::Route::StreamInit, {},
                            stream_request_frame(ctx, head, uri,
                                                 to_i64(worker_.settings().buffer_size_bytes), has_body_)});
    out_seq_ = 1;
    arm_timer(worker_.settings().session_timeout);
  } else {
    arm_timer(worker_.settings().req_timeout);
    if (!has_body_) {
      worker_.send_to_bridge({bridge::ToBridge::Route::Req, {}, req_request_frame(ctx, head, uri, {})});
    }
  }
}

void HttpConnection::send_request_body_packet(bool more) {
  body_credits_ -= to_i64(body_out_.size());
  send_to_handler(body_frame(worker_.settings().instance_id, id_, out_seq_++, body_out_, more));
  body_out_.clear();
}

void HttpConnection::send_to_handler(std::string frame) {
  worker_.send_to_bridge({bridge::ToBridge::Route::StreamReply, handler_, std::move(frame)});
}

void HttpConnection::finish_request_if_done() {
  if (phase_ != Phase::InRequest || !response_done_ || writing_ || !out_pending_.empty()) return;
  if (!body_done_ || !plan_.keep_alive) {
    // A response that came before the whole body was read ends the connection
    // (reference §3.3); so does a close-delimited or non-persistent response.
    close(CloseReason::Done);
    return;
  }
  reset_request();
  arm_timer(listener_.mode == Mode::Stream ? worker_.settings().session_timeout
                                           : worker_.settings().req_timeout);
  // Pipelined requests already buffered are handled now.
  asio::post(worker_.io(), [self = shared_from_this()] { self->advance(); });
}

void HttpConnection::reset_request() {
  phase_ = Phase::AwaitingHead;
  id_.clear();
  out_seq_ = 0;
  in_seq_ = 0;
  handler_.clear();
  has_body_ = body_done_ = handler_seen_ = handoff_pending_ = false;
  body_credits_ = 0;
  std::string().swap(body_out_);
  response_started_ = response_done_ = false;
  plan_ = {};
}

// ---------------------------------------------------------------- handler side

void HttpConnection::on_handler_packet(const zhttp::Packet& packet, const zhttp::IdSeq& addressed) {
  if (closed_ || phase_ != Phase::InRequest) return;
  if (listener_.mode == Mode::Req) {
    on_req_reply(packet);
    return;
  }
  // The reply address always follows the latest `from`, which is what makes handoff to
  // another handler work (reference §1.4, §1.9).
  if (!packet.from.empty()) handler_.assign(packet.from);
  if (addressed.seq) {
    if (*addressed.seq != in_seq_) {
      LOG_WARN(kLog, id_ << " bad seq from handler: got " << *addressed.seq << ", expected " << in_seq_);
      close(CloseReason::ProtocolError);
      return;
    }
    ++in_seq_;
  }
  arm_timer(worker_.settings().session_timeout);
  on_stream_packet(packet);
  if (!closed_) advance();
}

void HttpConnection::on_stream_packet(const zhttp::Packet& packet) {
  const bool first_from_handler = !handler_seen_;
  handler_seen_ = true;
  switch (packet.type) {
    case zhttp::PacketType::Data:
      if (packet.credits) body_credits_ += *packet.credits;
      if (!response_started_) {
        start_response(packet, false);
      } else if (!response_done_) {
        append_response_body(packet.body, packet.more);
      }
      break;
    case zhttp::PacketType::Credit:
      if (packet.credits) body_credits_ += *packet.credits;
      break;
    case zhttp::PacketType::KeepAlive:
      break;
    case zhttp::PacketType::Cancel:
    case zhttp::PacketType::Error:
      // The handler gave up: close without writing anything, like Condure (§3.9).
      close(CloseReason::HandlerEnded);
      return;
    case zhttp::PacketType::HandoffStart:
      handoff_pending_ = true;
      break;
    case zhttp::PacketType::HandoffProceed:
    case zhttp::PacketType::Close:
    case zhttp::PacketType::Ping:
    case zhttp::PacketType::Pong:
      break;
  }
  // 100-continue is sent when zedge starts reading the body, i.e. after the handler's
  // first packet, unless that packet was already the final response (reference §3.4).
  if (first_from_handler && !response_started_ && has_body_ && !body_done_ &&
      parser_.head().expect_continue) {
    out_pending_ += "HTTP/1.1 100 Continue\r\n\r\n";
  }
  flush();
}

void HttpConnection::on_req_reply(const zhttp::Packet& packet) {
  if (packet.type != zhttp::PacketType::Data) {
    LOG_DEBUG(kLog, id_ << " req mode: skipping non-data packet");
    return;
  }
  if (response_started_) return;
  // Req mode answers are whole; Condure always writes Content-Length (reference §1.11).
  start_response(packet, true);
  flush();
}

void HttpConnection::start_response(const zhttp::Packet& packet, bool force_content_length) {
  const auto& head = parser_.head();
  http1::ResponseInfo info;
  info.version_minor = head.version_minor;
  info.head_request = head.method == "HEAD";
  info.code = packet.code ? static_cast<int>(*packet.code) : 200;
  info.reason = packet.reason;
  for (const auto& h : packet.headers) {
    if (force_content_length && (h.name.size() == 14)) {
      // Content-Length from a req-mode handler is replaced by the real body length.
      std::string lower(h.name);
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (lower == "content-length") continue;
    }
    info.headers.push_back({h.name, h.value});
  }
  info.first_body_size = packet.body.size();
  info.more = force_content_length ? false : packet.more;
  info.keep_alive = head.keep_alive && body_done_;
  const auto plan = http1::plan_response(info);
  if (!plan) {
    LOG_WARN(kLog, id_ << " handler sent an invalid Content-Length; closing");
    close(CloseReason::ProtocolError);
    return;
  }
  plan_ = *plan;
  response_started_ = true;
  http1::write_head(info, plan_, out_pending_);
  append_response_body(packet.body, info.more);
}

void HttpConnection::append_response_body(std::string_view body, bool more) {
  switch (plan_.framing) {
    case http1::Framing::NoBody:
      // Nothing is written (HEAD, 204, 304), so the credits come back at once or a
      // streaming handler would wait for them forever.
      if (more && !body.empty() && listener_.mode == Mode::Stream && !handler_.empty()) {
        send_to_handler(credit_frame(worker_.settings().instance_id, id_, out_seq_++, to_i64(body.size())));
      }
      if (!more) response_done_ = true;
      return;
    case http1::Framing::ContentLength:
    case http1::Framing::CloseDelimited: out_pending_.append(body); break;
    case http1::Framing::Chunked:
      http1::write_chunk(body, out_pending_);
      if (!more) http1::write_last_chunk(out_pending_);
      break;
  }
  pending_body_bytes_ += body.size();
  if (!more) response_done_ = true;
}

// ---------------------------------------------------------------- writing

void HttpConnection::flush() {
  if (writing_ || closed_) return;
  if (out_pending_.empty()) {
    if (handoff_pending_) {
      // Everything queued reached the client: the handler may hand the session over.
      handoff_pending_ = false;
      send_to_handler(control_frame(worker_.settings().instance_id, id_, out_seq_++,
                                    zhttp::PacketType::HandoffProceed));
    }
    if (close_after_flush_) {
      close(CloseReason::Done);
      return;
    }
    finish_request_if_done();
    return;
  }
  writing_ = true;
  out_writing_.swap(out_pending_);
  writing_body_bytes_ = pending_body_bytes_;
  pending_body_bytes_ = 0;
  asio::async_write(socket_, asio::buffer(out_writing_),
                    [self = shared_from_this()](const asio::error_code& ec, std::size_t) { self->on_written(ec); });
}

void HttpConnection::on_written(const asio::error_code& ec) {
  writing_ = false;
  if (closed_) return;
  if (ec) {
    close(CloseReason::ClientGone);
    return;
  }
  out_writing_.clear();
  release_if_large(out_writing_);
  // Credits go back as body bytes reach the client, except for a finished response
  // (reference §1.7).
  if (listener_.mode == Mode::Stream && phase_ == Phase::InRequest && !response_done_ &&
      writing_body_bytes_ > 0 && !handler_.empty()) {
    send_to_handler(credit_frame(worker_.settings().instance_id, id_, out_seq_++, to_i64(writing_body_bytes_)));
  }
  writing_body_bytes_ = 0;
  flush();
}

void HttpConnection::answer_error(int status, std::string_view message) {
  LOG_INFO(kLog, "client error " << status << ": " << message);
  const int version_minor = parser_.head().version_minor == 0 ? 0 : 1;
  http1::write_simple_response(version_minor, status, http1::reason_phrase(status),
                               std::string(message) + "\n", false, out_pending_);
  close_after_flush_ = true;
  flush();
}

// ---------------------------------------------------------------- timers and teardown

void HttpConnection::arm_timer(std::chrono::seconds timeout) {
  deadline_ = std::chrono::steady_clock::now() + timeout;
}

void HttpConnection::close(CloseReason reason) {
  if (closed_) return;
  closed_ = true;
  const bool session_open = listener_.mode == Mode::Stream && phase_ == Phase::InRequest &&
                            !response_done_ && !handler_.empty();
  // The handler hears of a client that left or of shutdown, but not of a handler
  // timeout or of its own cancel (reference §1.5, §1.8).
  if (session_open && (reason == CloseReason::ClientGone || reason == CloseReason::Shutdown)) {
    send_to_handler(control_frame(worker_.settings().instance_id, id_, out_seq_++, zhttp::PacketType::Cancel));
  }
  if (reason == CloseReason::Timeout) LOG_DEBUG(kLog, (id_.empty() ? "idle connection" : id_) << " timed out");
  asio::error_code ignored;
  socket_.shutdown(Socket::shutdown_both, ignored);
  socket_.close(ignored);
  worker_.release(slot_, listener_.mode);
}

}  // namespace zedge::server
