// The HTTP phase: the client's side (heads and bodies toward the handler) and the life
// cycle of one request. Handler packets and output: http_session_response.cpp; answers
// zedge gives itself, timers, drain and endings: http_session_ending.cpp.
#include "session/http_session.hpp"

#include <algorithm>

#include "log/log.hpp"
#include "session/websocket_upgrade.hpp"

namespace zedge::session {
namespace {

constexpr const char* kLog = "session";
// Condure's limit on the rebuilt request uri.
constexpr std::size_t kUriMaxBytes = 4096;
constexpr std::size_t kHeadersMax = 64;

}  // namespace

std::string_view close_reason_name(CloseReason reason) {
  switch (reason) {
    case CloseReason::None: return "none";
    case CloseReason::Done: return "done";
    case CloseReason::ClientGone: return "client-gone";
    case CloseReason::HandlerEnded: return "handler-ended";
    case CloseReason::ProtocolError: return "protocol-error";
    case CloseReason::CreditOverrun: return "credit-overrun";
    case CloseReason::ClientError: return "client-error";
    case CloseReason::SessionTimeout: return "session-timeout";
    case CloseReason::ClientTimeout: return "client-timeout";
    case CloseReason::Shutdown: return "shutdown";
    case CloseReason::Rejected: return "rejected";
    case CloseReason::Drained: return "drained";
    case CloseReason::HandlerGone: return "handler-gone";
  }
  return "?";
}

HttpSession::HttpSession(const SessionSettings& settings, PeerInfo peer, PacketSink& sink,
                         std::function<std::string()> next_id, Clock::time_point now)
    : SessionPhase(settings, sink, kLog),
      peer_(std::move(peer)),
      sink_(sink),
      next_id_(std::move(next_id)),
      parser_(http1::ParserLimits{settings.buffer_size_bytes, kHeadersMax, kUriMaxBytes}) {
  // The session timer runs from accept, so a client that never sends a request is closed
  // like in Condure.
  arm(settings_.mode == Mode::Stream ? settings_.session_timeout : settings_.req_timeout, now);
  if (settings_.mode == Mode::Stream) client_deadline_ = now + settings_.stream_timeout;
}

HttpSession::~HttpSession() = default;

// ---------------------------------------------------------------- client side

std::size_t HttpSession::on_client_bytes(std::string_view input, Clock::time_point now) {
  now_ = now;
  if (!end_.open()) return 0;
  if (settings_.mode == Mode::Stream && !input.empty()) client_deadline_ = now + settings_.stream_timeout;
  if (request_.stage == Stage::AwaitingHead && !request_.head_started && !input.empty()) {
    request_.head_started = true;
    // A head trickled a byte at a time must not hold its connection for the whole session
    // timer (or, on a kept-alive connection, past it): it gets --header-timeout from here.
    if (settings_.header_timeout.count() > 0) deadline_ = std::min(deadline_, now + settings_.header_timeout);
  }
  std::size_t used = 0;
  for (;;) {
    bool progressed = false;
    if (request_.stage == Stage::AwaitingHead) {
      progressed = parse_head(input, used);
      if (progressed && request_.stage != Stage::AwaitingHead) begin_request(now);
    } else if (request_.stage == Stage::InRequest) {
      progressed = forward_body(input, used);
    }
    if (!progressed || !end_.open()) break;
  }
  return used;
}

bool HttpSession::parse_head(std::string_view input, std::size_t& used) {
  if (used == input.size()) return false;
  const auto step = parser_.feed(input.substr(used));
  used += step.consumed;
  switch (step.event) {
    case http1::RequestParser::Event::NeedMore: return false;
    case http1::RequestParser::Event::HeadComplete: request_.stage = Stage::InRequest; return true;
    case http1::RequestParser::Event::Error:
      answer_error(parser_.error().status, parser_.error().message);
      return false;
    case http1::RequestParser::Event::BodyData:
    case http1::RequestParser::Event::MessageComplete: return step.consumed > 0;
  }
  return false;
}

// Moves request body bytes toward the handler: in stream mode only within the credits it
// granted and never while a handoff pauses the session; in req mode into one whole body.
bool HttpSession::forward_body(std::string_view input, std::size_t& used) {
  return settings_.mode == Mode::Stream ? forward_stream_body(input, used) : collect_req_body(input, used);
}

HttpSession::BodyStep HttpSession::read_body(std::string_view input, std::size_t& used) {
  const auto step = parser_.feed(input);
  used += step.consumed;
  switch (step.event) {
    case http1::RequestParser::Event::BodyData: return BodyStep::Piece;
    case http1::RequestParser::Event::MessageComplete: request_.body_done = true; return BodyStep::End;
    case http1::RequestParser::Event::Error:
      answer_error(parser_.error().status, parser_.error().message);
      return BodyStep::Failed;
    default: return BodyStep::NeedMore;
  }
}

bool HttpSession::forward_stream_body(std::string_view input, std::size_t& used) {
  ActiveRequest& r = request_;
  if (!r.has_body || r.final_body_sent) return false;
  if (!r.handler_seen || link_.paused()) return false;  // the body waits for the handler's first packet
  const std::size_t start = used;
  // Parse while less than one buffer of body is held; credits count body bytes only, so
  // chunk framing is parsed freely and the held body is what waits for credits.
  while (!r.body_done && r.body_held_bytes < settings_.buffer_size_bytes && used < input.size()) {
    const std::size_t limit = std::min(input.size() - used, settings_.buffer_size_bytes - r.body_held_bytes);
    const BodyStep step = read_body(input.substr(used, limit), used);
    if (step == BodyStep::Failed) return false;
    if (step == BodyStep::NeedMore) break;
    // Condure sends one packet per client chunk: each piece keeps its own packet.
    if (step == BodyStep::Piece && !parser_.body_data().empty()) {
      r.body_pieces.emplace_back(parser_.body_data());
      r.body_held_bytes += parser_.body_data().size();
    }
  }
  // The end of a Content-Length body is known without more input.
  if (!r.body_done && parser_.feed(std::string_view()).event == http1::RequestParser::Event::MessageComplete) {
    r.body_done = true;
  }
  const bool sent = send_body_pieces();
  return used > start || sent;
}

bool HttpSession::send_body_pieces() {
  ActiveRequest& r = request_;
  std::int64_t& credits = link_.state().send_credits;
  const bool chunked = parser_.head().body_kind == http1::BodyKind::Chunked;
  bool sent = false;
  while (!r.body_pieces.empty() && credits > 0) {
    std::string& piece = r.body_pieces.front();
    const std::size_t n = std::min(piece.size(), static_cast<std::size_t>(credits));
    const bool whole = n == piece.size();
    // A Content-Length body's last bytes carry no `more`; a chunked body ends with an
    // empty packet of its own, as in Condure.
    const bool last = whole && r.body_pieces.size() == 1 && r.body_done && !chunked;
    credits -= to_i64(n);
    r.body_held_bytes -= n;
    link_.send(
        body_frame(settings_.instance_id, link_.id(), link_.next_seq(), std::string_view(piece).substr(0, n), !last));
    if (whole)
      r.body_pieces.erase(r.body_pieces.begin());
    else
      piece.erase(0, n);
    r.final_body_sent = last;
    sent = true;
  }
  // One stall per wait: counted when body first waits, again only after credits came.
  if (sent) r.stalled = false;
  if (!r.body_pieces.empty() && credits <= 0 && !r.stalled) {
    r.stalled = true;
    if (settings_.events != nullptr) settings_.events->credit_stall();
  }
  if (r.body_pieces.empty() && r.body_done && !r.final_body_sent) {
    link_.send(body_frame(settings_.instance_id, link_.id(), link_.next_seq(), {}, false));
    r.final_body_sent = true;
    sent = true;
  }
  return sent;
}

bool HttpSession::collect_req_body(std::string_view input, std::size_t& used) {
  ActiveRequest& r = request_;
  if (!r.has_body || r.body_done) return false;
  const std::size_t start = used;
  while (!r.body_done) {
    const BodyStep step = read_body(input.substr(used), used);
    if (step == BodyStep::Failed) return false;
    if (step == BodyStep::NeedMore) break;
    if (step == BodyStep::Piece) {
      r.body_out.append(parser_.body_data());
      if (r.body_out.size() > settings_.body_buffer_size_bytes) {
        answer_body_too_large();
        return false;
      }
    }
  }
  if (r.body_done) {
    const RequestContext ctx{settings_.instance_id, link_.id(), settings_.secure, &peer_};
    sink_.send_packet(Route::Req, {}, req_request_frame(ctx, parser_.head(), r.uri, r.body_out));
    std::string().swap(r.body_out);
  }
  return used > start || r.body_done;
}

// ---------------------------------------------------------------- request life cycle

void HttpSession::begin_request(Clock::time_point now) {
  ActiveRequest& r = request_;
  r.started = now;
  request_begun_ = true;
  if (refusing_) {
    answer_shutting_down();
    return;
  }
  const auto& head = parser_.head();
  const bool stream = settings_.mode == Mode::Stream;
  if (head.websocket_upgrade) {
    if (!stream) {
      // Condure's exact answer on req listeners.
      answer_error(400, "WebSockets not supported on req mode interface.");
      return;
    }
    if (auto problem = check_websocket_upgrade(head)) {
      answer_error(400, *problem);
      return;
    }
    // The handler decides: the first packet goes out like any request's (ws:// uri, no
    // `stream`, no `more`), and its answer accepts or rejects.
    r.upgrade_requested = true;
  }
  r.uri = request_uri(head, settings_.secure);
  if (r.uri.size() > kUriMaxBytes) {
    answer_error(414, "Request URI exceeds the limit of 4096 bytes.");
    return;
  }
  link_.state().id = next_id_();
  r.has_body = head.body_kind == http1::BodyKind::Chunked ||
               (head.body_kind == http1::BodyKind::ContentLength && head.content_length > 0);
  if (!r.has_body) {
    // Let the parser finish the (empty) message so it is ready for the next request.
    parser_.feed(std::string_view());
    r.body_done = true;
  }
  LOG_DEBUG(kLog, link_.id() << " " << head.method << " " << r.uri);
  if (!stream) {
    arm(settings_.req_timeout, now);
    // A declared body over the limit is refused before it is read, and a client waiting
    // for 100 (Continue) gets the final status instead (RFC 9110 §10.1.1).
    if (head.body_kind == http1::BodyKind::ContentLength && head.content_length > settings_.body_buffer_size_bytes) {
      answer_body_too_large();
      return;
    }
    // Req mode reads the body at once, so that is when the client may send it.
    if (r.has_body && head.expect_continue) output_ += "HTTP/1.1 100 Continue\r\n\r\n";
    if (!r.has_body) {
      const RequestContext ctx{settings_.instance_id, link_.id(), settings_.secure, &peer_};
      sink_.send_packet(Route::Req, {}, req_request_frame(ctx, head, r.uri, {}));
    }
    return;
  }
  if (!handlers_available_) {
    // Nobody would receive it; hold it briefly rather than queue it for a handler that may
    // come after the client gave up (503 after a configurable wait).
    r.stage = Stage::WaitingForHandler;
    arm(settings_.handler_wait, now);
    return;
  }
  send_first_packet();
  arm(settings_.session_timeout, now);
}

void HttpSession::send_first_packet() {
  const RequestContext ctx{settings_.instance_id, link_.id(), settings_.secure, &peer_};
  sink_.send_packet(
      Route::StreamInit, {},
      stream_request_frame(ctx, parser_.head(), request_.uri, to_i64(settings_.buffer_size_bytes), request_.has_body));
  link_.state().out_seq = 1;
  // What the first packet offered: the handler may send this much body.
  link_.state().receive_credits = to_i64(settings_.buffer_size_bytes);
}

void HttpSession::on_handlers_available(bool available, Clock::time_point now) {
  handlers_available_ = available;
  if (available && request_.stage == Stage::WaitingForHandler && end_.open()) {
    request_.stage = Stage::InRequest;
    send_first_packet();
    arm(settings_.session_timeout, now);
  }
}

void HttpSession::finish_request_if_done(Clock::time_point now) {
  const ActiveRequest& r = request_;
  if (r.stage != Stage::InRequest || !r.response_done || output_pending()) return;
  if (!r.body_done || !r.plan.keep_alive || client_eof_) {
    // A response that came before the whole body was read ends the connection
    // (as Condure does); so does a close-delimited or non-persistent response.
    close(CloseReason::Done);
    return;
  }
  start_next_request();
  arm(settings_.mode == Mode::Stream ? settings_.session_timeout : settings_.req_timeout, now);
}

void HttpSession::start_next_request() {
  request_ = ActiveRequest::reusing_buffers_of(request_);
  link_.reset();
}

}  // namespace zedge::session
