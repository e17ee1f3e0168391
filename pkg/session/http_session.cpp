#include "session/http_session.hpp"

#include <algorithm>

#include "http1/field_text.hpp"
#include "log/log.hpp"
#include "session/websocket_upgrade.hpp"

namespace zedge::session {
namespace {

constexpr const char* kLog = "session";
// Condure's limit on the rebuilt request uri.
constexpr std::size_t kUriMaxBytes = 4096;
constexpr std::size_t kHeadersMax = 64;

std::int64_t to_i64(std::size_t n) { return static_cast<std::int64_t>(n); }

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
    : settings_(settings),
      peer_(std::move(peer)),
      sink_(sink),
      next_id_(std::move(next_id)),
      parser_(http1::ParserLimits{settings.buffer_size_bytes, kHeadersMax, kUriMaxBytes}) {
  // The session timer runs from accept, so a client that never sends a request is closed
  // like in Condure.
  arm(settings_.mode == Mode::Stream ? settings_.session_timeout : settings_.req_timeout, now);
  if (settings_.mode == Mode::Stream) client_deadline_ = now + settings_.stream_timeout;
}

void HttpSession::arm(std::chrono::milliseconds timeout, Clock::time_point now) { deadline_ = now + timeout; }

// ---------------------------------------------------------------- client side

std::size_t HttpSession::on_client_bytes(std::string_view input, Clock::time_point now) {
  if (ws_) return ws_->on_client_bytes(input, now);
  now_ = now;
  if (close_reason_ != CloseReason::None) return 0;
  if (settings_.mode == Mode::Stream && !input.empty()) client_deadline_ = now + settings_.stream_timeout;
  if (phase_ == Phase::AwaitingHead && !head_started_ && !input.empty()) {
    head_started_ = true;
    // A head trickled a byte at a time must not hold its connection for the whole session
    // timer (or, on a kept-alive connection, past it): it gets --header-timeout from here.
    if (settings_.header_timeout.count() > 0) deadline_ = std::min(deadline_, now + settings_.header_timeout);
  }
  std::size_t used = 0;
  for (;;) {
    bool progressed = false;
    if (phase_ == Phase::AwaitingHead) {
      progressed = parse_head(input, used);
      if (progressed && phase_ != Phase::AwaitingHead) begin_request(now);
    } else if (phase_ == Phase::InRequest) {
      progressed = forward_body(input, used);
    }
    if (!progressed || close_reason_ != CloseReason::None) break;
  }
  return used;
}

bool HttpSession::parse_head(std::string_view input, std::size_t& used) {
  if (used == input.size()) return false;
  const auto step = parser_.feed(input.substr(used));
  used += step.consumed;
  switch (step.event) {
    case http1::RequestParser::Event::NeedMore: return false;
    case http1::RequestParser::Event::HeadComplete: phase_ = Phase::InRequest; return true;
    case http1::RequestParser::Event::Error:
      answer_error(parser_.error().status, parser_.error().message);
      return false;
    case http1::RequestParser::Event::BodyData:
    case http1::RequestParser::Event::MessageComplete: return step.consumed > 0;
  }
  return false;
}

// Moves request body bytes toward the handler: in stream mode only within the credits it
// granted and never while a handoff pauses the session; in req
// mode into one whole body.
bool HttpSession::forward_body(std::string_view input, std::size_t& used) {
  return settings_.mode == Mode::Stream ? forward_stream_body(input, used) : collect_req_body(input, used);
}

bool HttpSession::forward_stream_body(std::string_view input, std::size_t& used) {
  if (!has_body_ || final_body_sent_) return false;
  if (!handler_seen_ || paused_) return false;  // the body waits for the handler's first packet
  const std::size_t start = used;
  // Parse while less than one buffer of body is held; credits count body bytes only, so
  // chunk framing is parsed freely and the held body is what waits for credits.
  while (!body_done_ && body_held_bytes_ < settings_.buffer_size_bytes && used < input.size()) {
    const std::size_t limit = std::min(input.size() - used, settings_.buffer_size_bytes - body_held_bytes_);
    const auto step = parser_.feed(input.substr(used, limit));
    used += step.consumed;
    if (step.event == http1::RequestParser::Event::BodyData) {
      // Condure sends one packet per client chunk: each piece keeps its own packet.
      if (!parser_.body_data().empty()) {
        body_pieces_.emplace_back(parser_.body_data());
        body_held_bytes_ += parser_.body_data().size();
      }
    } else if (step.event == http1::RequestParser::Event::MessageComplete) {
      body_done_ = true;
    } else if (step.event == http1::RequestParser::Event::Error) {
      answer_error(parser_.error().status, parser_.error().message);
      return false;
    } else {
      break;  // NeedMore
    }
  }
  // The end of a Content-Length body is known without more input.
  if (!body_done_ && parser_.feed(std::string_view()).event == http1::RequestParser::Event::MessageComplete) {
    body_done_ = true;
  }
  const bool sent = send_body_pieces();
  return used > start || sent;
}

bool HttpSession::send_body_pieces() {
  const bool chunked = parser_.head().body_kind == http1::BodyKind::Chunked;
  bool sent = false;
  while (!body_pieces_.empty() && body_credits_ > 0) {
    std::string& piece = body_pieces_.front();
    const std::size_t n = std::min(piece.size(), static_cast<std::size_t>(body_credits_));
    const bool whole = n == piece.size();
    // A Content-Length body's last bytes carry no `more`; a chunked body ends with an
    // empty packet of its own, as in Condure.
    const bool last = whole && body_pieces_.size() == 1 && body_done_ && !chunked;
    body_credits_ -= to_i64(n);
    body_held_bytes_ -= n;
    send_to_handler(body_frame(settings_.instance_id, id_, out_seq_++, std::string_view(piece).substr(0, n), !last));
    if (whole) body_pieces_.erase(body_pieces_.begin());
    else piece.erase(0, n);
    final_body_sent_ = last;
    sent = true;
  }
  // One stall per wait: counted when body first waits, again only after credits came.
  if (sent) stalled_ = false;
  if (!body_pieces_.empty() && body_credits_ <= 0 && !stalled_) {
    stalled_ = true;
    if (settings_.events != nullptr) settings_.events->credit_stall();
  }
  if (body_pieces_.empty() && body_done_ && !final_body_sent_) {
    send_to_handler(body_frame(settings_.instance_id, id_, out_seq_++, {}, false));
    final_body_sent_ = true;
    sent = true;
  }
  return sent;
}

bool HttpSession::collect_req_body(std::string_view input, std::size_t& used) {
  if (!has_body_ || body_done_) return false;
  const std::size_t start = used;
  while (!body_done_) {
    const auto step = parser_.feed(input.substr(used));
    used += step.consumed;
    if (step.event == http1::RequestParser::Event::BodyData) {
      body_out_.append(parser_.body_data());
      if (body_out_.size() > settings_.body_buffer_size_bytes) {
        answer_body_too_large();
        return false;
      }
    } else if (step.event == http1::RequestParser::Event::MessageComplete) {
      body_done_ = true;
    } else if (step.event == http1::RequestParser::Event::Error) {
      answer_error(parser_.error().status, parser_.error().message);
      return false;
    } else {
      break;  // NeedMore
    }
  }
  if (body_done_) {
    const RequestContext ctx{settings_.instance_id, id_, settings_.secure, &peer_};
    sink_.send_packet(Route::Req, {}, req_request_frame(ctx, parser_.head(), uri_, body_out_));
    std::string().swap(body_out_);
  }
  return used > start || body_done_;
}

void HttpSession::abort_protocol_error() {
  if (ws_) {
    ws_->abort_protocol_error();
    return;
  }
  close(CloseReason::ProtocolError);
}

void HttpSession::on_handler_unreachable() {
  if (ws_) {
    ws_->on_handler_unreachable();
    return;
  }
  // A finished response needs nothing more from its handler (the lost packet was a credit).
  if (close_reason_ != CloseReason::None || phase_ != Phase::InRequest || handler_.empty() || response_done_) return;
  LOG_INFO(kLog, id_ << " handler " << handler_ << " is gone" << (response_started_ ? "; response cut short" : ""));
  if (response_started_) {
    close(CloseReason::HandlerGone);
    return;
  }
  const int version_minor = parser_.head().version_minor == 0 ? 0 : 1;
  http1::write_simple_response(version_minor, 502, http1::reason_phrase(502), "The handler of this request went away.\n",
                               false, output_);
  report_response(502);
  close_reason_ = CloseReason::HandlerGone;
  close_after_output_ = true;
}

void HttpSession::shutdown() {
  if (ws_) {
    ws_->shutdown();
    return;
  }
  close(CloseReason::Shutdown);
}

void HttpSession::on_client_closed() {
  if (ws_) {
    ws_->on_client_closed();
    return;
  }
  if (closed()) return;
  client_eof_ = true;
  // A client that leaves between requests simply closes; one that leaves during a request
  // abandons it, and the handler is told.
  if (phase_ == Phase::InRequest && !response_done_) {
    close(CloseReason::ClientGone);
  } else if (phase_ != Phase::InRequest || (writing_ == 0 && output_.empty())) {
    close(CloseReason::Done);
  }
  // Otherwise a finished response is still being written: close once it is out.
}

// ---------------------------------------------------------------- request life cycle

void HttpSession::begin_request(Clock::time_point now) {
  request_started_ = now;
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
    upgrade_requested_ = true;
  }
  uri_ = request_uri(head, settings_.secure);
  if (uri_.size() > kUriMaxBytes) {
    answer_error(414, "Request URI exceeds the limit of 4096 bytes.");
    return;
  }
  id_ = next_id_();
  has_body_ = head.body_kind == http1::BodyKind::Chunked ||
              (head.body_kind == http1::BodyKind::ContentLength && head.content_length > 0);
  if (!has_body_) {
    // Let the parser finish the (empty) message so it is ready for the next request.
    parser_.feed(std::string_view());
    body_done_ = true;
  }
  LOG_DEBUG(kLog, id_ << " " << head.method << " " << uri_);
  if (!stream) {
    arm(settings_.req_timeout, now);
    // A declared body over the limit is refused before it is read, and a client waiting
    // for 100 (Continue) gets the final status instead (RFC 9110 §10.1.1).
    if (head.body_kind == http1::BodyKind::ContentLength && head.content_length > settings_.body_buffer_size_bytes) {
      answer_body_too_large();
      return;
    }
    // Req mode reads the body at once, so that is when the client may send it.
    if (has_body_ && head.expect_continue) output_ += "HTTP/1.1 100 Continue\r\n\r\n";
    if (!has_body_) {
      const RequestContext ctx{settings_.instance_id, id_, settings_.secure, &peer_};
      sink_.send_packet(Route::Req, {}, req_request_frame(ctx, head, uri_, {}));
    }
    return;
  }
  if (!handlers_available_) {
    // Nobody would receive it; hold it briefly rather than queue it for a handler that may
    // come after the client gave up (503 after a configurable wait).
    phase_ = Phase::WaitingForHandler;
    arm(settings_.handler_wait, now);
    return;
  }
  send_first_packet();
  arm(settings_.session_timeout, now);
}

void HttpSession::send_first_packet() {
  const RequestContext ctx{settings_.instance_id, id_, settings_.secure, &peer_};
  sink_.send_packet(Route::StreamInit, {},
                    stream_request_frame(ctx, parser_.head(), uri_, to_i64(settings_.buffer_size_bytes), has_body_));
  out_seq_ = 1;
  // What the first packet offered: the handler may send this much body.
  response_credits_ = to_i64(settings_.buffer_size_bytes);
}

void HttpSession::on_handlers_available(bool available, Clock::time_point now) {
  handlers_available_ = available;
  if (available && phase_ == Phase::WaitingForHandler && close_reason_ == CloseReason::None) {
    phase_ = Phase::InRequest;
    send_first_packet();
    arm(settings_.session_timeout, now);
  }
}

void HttpSession::send_to_handler(std::string frame) {
  sink_.send_packet(Route::StreamReply, handler_, std::move(frame));
}

void HttpSession::finish_request_if_done(Clock::time_point now) {
  if (phase_ != Phase::InRequest || !response_done_ || writing_ > 0 || !output_.empty()) return;
  if (!body_done_ || !plan_.keep_alive || client_eof_) {
    // A response that came before the whole body was read ends the connection
    // (as Condure does); so does a close-delimited or non-persistent response.
    close(CloseReason::Done);
    return;
  }
  reset_request();
  arm(settings_.mode == Mode::Stream ? settings_.session_timeout : settings_.req_timeout, now);
}

void HttpSession::reset_request() {
  phase_ = Phase::AwaitingHead;
  head_started_ = false;
  id_.clear();
  uri_.clear();
  out_seq_ = in_seq_ = 0;
  handler_.clear();
  has_body_ = body_done_ = handler_seen_ = handoff_pending_ = paused_ = false;
  body_credits_ = response_credits_ = credits_to_return_ = 0;
  body_out_.clear();
  body_pieces_.clear();
  body_held_bytes_ = 0;
  final_body_sent_ = false;
  stalled_ = false;
  response_started_ = response_done_ = false;
  plan_ = {};
  body_left_ = 0;
  upgrade_requested_ = false;
}

// ---------------------------------------------------------------- handler side

void HttpSession::on_handler_packet(const zhttp::Packet& packet, const zhttp::IdSeq& addressed,
                                    Clock::time_point now) {
  if (ws_) {
    ws_->on_handler_packet(packet, addressed, now);
    return;
  }
  now_ = now;
  if (close_reason_ != CloseReason::None || phase_ != Phase::InRequest) return;
  if (settings_.mode == Mode::Req) {
    on_req_reply(packet);
    return;
  }
  // The reply address always follows the latest `from`, which is what makes handoff to
  // another handler work.
  if (!packet.from.empty()) handler_.assign(packet.from);
  if (addressed.seq) {
    if (*addressed.seq != in_seq_) {
      LOG_WARN(kLog, id_ << " bad seq from handler: got " << *addressed.seq << ", expected " << in_seq_);
      close(CloseReason::ProtocolError);
      return;
    }
    ++in_seq_;
  }
  arm(settings_.session_timeout, now);
  if (upgrade_requested_) {
    on_upgrade_reply(packet, now);
    return;
  }
  // After handoff-proceed the session waits for this packet (from the new owner).
  const bool resumed = paused_;
  paused_ = false;
  on_stream_packet(packet);
  if (close_reason_ != CloseReason::None) return;
  // New credits may release body already parsed and waiting.
  if (has_body_ && !final_body_sent_ && !paused_ && !body_pieces_.empty()) send_body_pieces();
  if (resumed && credits_to_return_ > 0 && !response_done_) {
    response_credits_ += credits_to_return_;
    send_to_handler(credit_frame(settings_.instance_id, id_, out_seq_++, credits_to_return_));
    credits_to_return_ = 0;
  }
  if (writing_ == 0 && output_.empty()) after_output_drained(now);
}

void HttpSession::on_stream_packet(const zhttp::Packet& packet) {
  const bool first_from_handler = !handler_seen_;
  handler_seen_ = true;
  switch (packet.type) {
    case zhttp::PacketType::Data:
      if (packet.credits) body_credits_ += *packet.credits;
      // Body beyond the credits we offered would overflow Condure's buffer; it closes the
      // connection, and so do we.
      if (to_i64(packet.body.size()) > response_credits_) {
        LOG_WARN(kLog, id_ << " handler sent " << packet.body.size() << " body bytes with only "
                           << response_credits_ << " credits; closing");
        close(CloseReason::CreditOverrun);
        return;
      }
      response_credits_ -= to_i64(packet.body.size());
      if (!response_started_) {
        start_response(packet, false);
      } else if (!response_done_) {
        append_response_body(packet.body, packet.more);
      }
      break;
    case zhttp::PacketType::Credit:
      if (packet.credits) body_credits_ += *packet.credits;
      break;
    case zhttp::PacketType::Cancel:
    case zhttp::PacketType::Error:
      // The handler gave up: close without writing anything, like Condure.
      close(CloseReason::HandlerEnded);
      return;
    case zhttp::PacketType::HandoffStart:
      handoff_pending_ = true;
      break;
    case zhttp::PacketType::KeepAlive:
    case zhttp::PacketType::HandoffProceed:
    case zhttp::PacketType::Close:
    case zhttp::PacketType::Ping:
    case zhttp::PacketType::Pong:
      break;
  }
  // 100-continue is sent when zedge starts reading the body, i.e. after the handler's
  // first packet, unless that packet was already the final response.
  if (first_from_handler && !response_started_ && has_body_ && !body_done_ && parser_.head().expect_continue) {
    output_ += "HTTP/1.1 100 Continue\r\n\r\n";
  }
}

void HttpSession::on_upgrade_reply(const zhttp::Packet& packet, Clock::time_point now) {
  handler_seen_ = true;
  switch (packet.type) {
    case zhttp::PacketType::Data:
      if (!packet.code || *packet.code == 101) {
        accept_websocket(packet, now);
        return;
      }
      // Condure would write this with the upgrade headers and switch anyway; a client
      // cannot make sense of that, so it goes out as a plain refusal (api/zhttp.md).
      LOG_WARN(kLog, id_ << " handler answered a WebSocket upgrade with " << *packet.code
                         << " instead of 101 or a rejection; sent as a plain response");
      [[fallthrough]];
    case zhttp::PacketType::Error:
      if (packet.type == zhttp::PacketType::Error && packet.condition != "rejected") {
        close(CloseReason::HandlerEnded);
        return;
      }
      write_upgrade_refusal(packet, output_);
      report_response(packet.code ? static_cast<int>(*packet.code) : 200);
      response_started_ = response_done_ = true;
      close_reason_ = CloseReason::Rejected;
      close_after_output_ = true;
      return;
    case zhttp::PacketType::Credit:
      if (packet.credits) body_credits_ += *packet.credits;
      return;
    case zhttp::PacketType::Cancel:
      close(CloseReason::HandlerEnded);
      return;
    default:
      return;  // keep-alive; nothing else means anything before the answer
  }
}

void HttpSession::accept_websocket(const zhttp::Packet& packet, Clock::time_point now) {
  if (!packet.body.empty()) LOG_DEBUG(kLog, id_ << " body of the WebSocket accept packet ignored");
  std::string head;
  head.swap(output_);
  WebSocketStart start;
  std::string extensions;
  if (settings_.compression) {
    const auto offers = websocket_extension_offers(parser_.head());
    start.deflate = websocket::negotiate_permessage_deflate(offers);
    if (start.deflate) extensions = websocket::deflate_response_value(*start.deflate);
  }
  write_switching_protocols(packet, parser_.head(), extensions, head);
  report_response(101);
  start.id = std::move(id_);
  start.handler = handler_;
  start.out_seq = out_seq_;
  start.in_seq = in_seq_;
  // Condure assumes a buffer's worth when the accept grants nothing (connection.rs).
  start.client_credits = body_credits_ + packet.credits.value_or(0);
  if (start.client_credits <= 0) start.client_credits = to_i64(settings_.buffer_size_bytes);
  start.handler_credits = response_credits_;
  start.output = std::move(head);
  start.writing = writing_;
  ws_ = std::make_unique<WebSocketSession>(settings_, sink_, std::move(start), now);
  // The HTTP phase is over: give back what it held.
  parser_.release_memory();
  for (std::string* s : {&output_, &uri_, &handler_, &body_out_}) std::string().swap(*s);
}

void HttpSession::on_req_reply(const zhttp::Packet& packet) {
  if (packet.type != zhttp::PacketType::Data) {
    LOG_DEBUG(kLog, id_ << " req mode: skipping non-data packet");
    return;
  }
  if (response_started_) return;
  // Req mode answers are whole; Condure always writes Content-Length.
  start_response(packet, true);
}

void HttpSession::start_response(const zhttp::Packet& packet, bool whole) {
  const auto& head = parser_.head();
  http1::ResponseInfo info;
  info.version_minor = head.version_minor;
  info.head_request = head.method == "HEAD";
  info.code = packet.code ? static_cast<int>(*packet.code) : 200;
  info.reason = packet.reason;
  for (const auto& h : packet.headers) {
    // A req-mode handler's Content-Length is replaced by the real body length.
    if (whole && http1::equals_ignore_case(h.name, "Content-Length")) continue;
    info.headers.push_back({h.name, h.value});
  }
  info.first_body_size = packet.body.size();
  info.more = whole ? false : packet.more;
  // While draining, responses ask the client to go elsewhere.
  info.keep_alive = head.keep_alive && body_done_ && !draining_;
  const auto plan = http1::plan_response(info);
  if (!plan) {
    LOG_WARN(kLog, id_ << " handler sent a response zedge cannot write (bad Content-Length or header); closing");
    close(CloseReason::ProtocolError);
    return;
  }
  const std::size_t head_start = output_.size();
  http1::write_head(info, *plan, output_);
  // A head bigger than a buffer would sit outside every credit; Condure closes and
  // cancels then (observed: 8,000 bytes of header pass, 8,150 do not).
  if (output_.size() - head_start > settings_.buffer_size_bytes) {
    output_.resize(head_start);
    LOG_WARN(kLog, id_ << " handler's response head is over " << settings_.buffer_size_bytes << " bytes; closing");
    close(CloseReason::CreditOverrun);
    return;
  }
  plan_ = *plan;
  body_left_ = plan->content_length;
  response_started_ = true;
  status_ = info.code;
  append_response_body(packet.body, info.more);
}

void HttpSession::append_response_body(std::string_view body, bool more) {
  switch (plan_.framing) {
    case http1::Framing::NoBody:
      // Nothing is written (HEAD, 204, 304), so the credits come back at once or a
      // streaming handler would wait for them forever.
      if (more && !body.empty() && settings_.mode == Mode::Stream && !handler_.empty()) {
        response_credits_ += to_i64(body.size());
        send_to_handler(credit_frame(settings_.instance_id, id_, out_seq_++, to_i64(body.size())));
      }
      break;
    case http1::Framing::ContentLength:
      if (body.size() > body_left_) {
        reject_body_past_length(body.size());
        return;
      }
      body_left_ -= body.size();
      [[fallthrough]];
    case http1::Framing::CloseDelimited:
      output_.append(body);
      output_body_bytes_ += body.size();
      break;
    case http1::Framing::Chunked:
      http1::write_chunk(body, output_);
      if (!more) http1::write_last_chunk(output_);
      output_body_bytes_ += body.size();
      break;
  }
  if (!more) {
    response_done_ = true;
    report_response(status_);
    if (plan_.framing == http1::Framing::ContentLength && body_left_ > 0) close_short_of_length();
  }
}

// Bytes past the length would reach a kept-alive client as the start of the next
// response, so none of this packet is written; the client sees the body cut short.
void HttpSession::reject_body_past_length(std::size_t bytes) {
  LOG_WARN(kLog, id_ << " handler sent " << bytes << " body bytes with " << body_left_
                     << " left of its Content-Length; closing");
  if (settings_.mode == Mode::Stream && !handler_.empty()) {
    send_to_handler(control_frame(settings_.instance_id, id_, out_seq_++, zhttp::PacketType::Cancel));
  }
  // Nothing more of this response will be taken: no credits, keep-alives or second cancel.
  response_done_ = true;
  close_reason_ = CloseReason::ProtocolError;
  close_after_output_ = writing_ > 0 || !output_.empty();
}

// Kept open, the client would wait for the rest, or read the next response as body.
void HttpSession::close_short_of_length() {
  LOG_WARN(kLog, id_ << " handler ended its response " << body_left_ << " bytes short of its Content-Length; closing");
  close_reason_ = CloseReason::ProtocolError;
  close_after_output_ = writing_ > 0 || !output_.empty();
}

void HttpSession::report_response(int status) {
  if (settings_.events != nullptr) settings_.events->request_done(status, now_ - request_started_);
}

// ---------------------------------------------------------------- output

std::size_t HttpSession::take_output(std::string& out) {
  if (ws_) return ws_->take_output(out);
  out.swap(output_);
  const std::size_t ticket = output_body_bytes_;
  output_body_bytes_ = 0;
  ++writing_;
  return ticket;
}

void HttpSession::on_written(std::size_t ticket, Clock::time_point now) {
  if (ws_) {
    ws_->on_written(ticket, now);
    return;
  }
  now_ = now;
  if (writing_ > 0) --writing_;
  if (settings_.mode == Mode::Stream) client_deadline_ = now + settings_.stream_timeout;
  if (closed()) return;
  // Credits go back as body bytes reach the client, except for a finished response (its
  // last piece earns none, as in Condure); while a handoff pauses the session they wait for
  // the new owner.
  if (settings_.mode == Mode::Stream && phase_ == Phase::InRequest && !response_done_ && ticket > 0 &&
      !handler_.empty()) {
    if (paused_) {
      credits_to_return_ += to_i64(ticket);
    } else {
      response_credits_ += to_i64(ticket);
      send_to_handler(credit_frame(settings_.instance_id, id_, out_seq_++, to_i64(ticket)));
    }
  }
  if (writing_ == 0 && output_.empty()) after_output_drained(now);
}

void HttpSession::after_output_drained(Clock::time_point now) {
  if (handoff_pending_ && close_reason_ == CloseReason::None) {
    // Everything queued reached the client: the handler may hand the session over, and
    // we stay silent until the next packet arrives.
    handoff_pending_ = false;
    paused_ = true;
    send_to_handler(control_frame(settings_.instance_id, id_, out_seq_++, zhttp::PacketType::HandoffProceed));
  }
  if (close_after_output_) {
    close_after_output_ = false;  // closed() turns true
    return;
  }
  finish_request_if_done(now);
}

void HttpSession::answer_error(int status, std::string_view message) {
  LOG_INFO(kLog, "client error " << status << ": " << message);
  // A handler already working on this request hears that it is abandoned, as on any
  // local error in Condure.
  if (settings_.mode == Mode::Stream && phase_ == Phase::InRequest && !response_done_ && !handler_.empty()) {
    send_to_handler(control_frame(settings_.instance_id, id_, out_seq_++, zhttp::PacketType::Cancel));
  }
  if (response_started_) {
    // Part of a response is already out: another status line would corrupt it.
    close_reason_ = CloseReason::ClientError;
    close_after_output_ = false;
    return;
  }
  const int version_minor = parser_.head().version_minor == 0 ? 0 : 1;
  http1::write_simple_response(version_minor, status, http1::reason_phrase(status), std::string(message) + "\n",
                               false, output_);
  if (phase_ == Phase::AwaitingHead) request_started_ = now_;  // refused while parsing the head
  report_response(status);
  close_reason_ = CloseReason::ClientError;
  close_after_output_ = true;
}

void HttpSession::answer_body_too_large() {
  answer_error(413, "Request body exceeds the limit of " + std::to_string(settings_.body_buffer_size_bytes) + " bytes.");
}

// ---------------------------------------------------------------- time and teardown

void HttpSession::on_tick(Clock::time_point now) {
  if (ws_) {
    ws_->on_tick(now);
    return;
  }
  now_ = now;
  if (close_reason_ != CloseReason::None) return;
  if (phase_ == Phase::WaitingForHandler) {
    if (now >= deadline_) answer_error(503, "No handler is available to serve this request.");
    return;
  }
  if (now >= deadline_) {
    close(settings_.mode == Mode::Stream ? CloseReason::SessionTimeout : CloseReason::ClientTimeout);
  } else if (now >= client_deadline_) {
    close(CloseReason::ClientTimeout);
  }
}

void HttpSession::release_idle_memory() {
  if (ws_ || phase_ != Phase::AwaitingHead || writing_ > 0 || !output_.empty() || close_reason_ != CloseReason::None) return;
  parser_.release_memory();
  for (std::string* s : {&output_, &id_, &uri_, &handler_, &body_out_}) std::string().swap(*s);
  std::vector<std::string>().swap(body_pieces_);
}

// ---------------------------------------------------------------- graceful drain

void HttpSession::set_draining(bool draining) { draining_ = draining; }

bool HttpSession::idle() const {
  return !ws_ && phase_ == Phase::AwaitingHead && writing_ == 0 && output_.empty() &&
         close_reason_ == CloseReason::None;
}

void HttpSession::close_if_idle() {
  // Only between requests: a new connection's first request, or a head partly here, is
  // still owed its answer.
  if (idle() && request_begun_ && !head_started_) close(CloseReason::Drained);
}

void HttpSession::refuse_requests() { refusing_ = true; }

void HttpSession::go_away() {
  if (ws_) {
    ws_->go_away();
    return;
  }
  refusing_ = true;
  if (close_reason_ != CloseReason::None) return;
  if (phase_ == Phase::AwaitingHead) {
    // A connection that served a request and has nothing in progress was told
    // `Connection: close` or has been quiet: close it. A new one, or one whose next head
    // is partly here, is owed an answer: its request gets 503 when the head is complete.
    if (request_begun_ && !head_started_ && writing_ == 0 && output_.empty()) close(CloseReason::Drained);
    return;
  }
  // A response whose last byte came from the handler is still being written: let it end.
  if (response_done_) return;
  if (response_started_) {
    // Part of the response is out: it is cut (its handler hears `cancel`).
    close(CloseReason::Drained);
    return;
  }
  // Nothing was answered yet: the client hears 503 and may retry elsewhere.
  answer_shutting_down();
}

void HttpSession::answer_shutting_down() {
  // A handler already working on the request hears that it is abandoned.
  if (settings_.mode == Mode::Stream && phase_ == Phase::InRequest && !handler_.empty()) {
    send_to_handler(control_frame(settings_.instance_id, id_, out_seq_++, zhttp::PacketType::Cancel));
  }
  const int version_minor = parser_.head().version_minor == 0 ? 0 : 1;
  http1::write_simple_response(version_minor, 503, http1::reason_phrase(503),
                               "The server is shutting down; retry the request.\n", false, output_);
  report_response(503);
  close_reason_ = CloseReason::Drained;
  close_after_output_ = true;
}

bool HttpSession::wants_keepalive() const {
  if (ws_) return ws_->wants_keepalive();
  return settings_.mode == Mode::Stream && phase_ == Phase::InRequest && close_reason_ == CloseReason::None &&
         !handler_.empty() && !paused_ && !response_done_;
}

void HttpSession::close(CloseReason reason) {
  if (closed()) return;
  const bool session_open =
      settings_.mode == Mode::Stream && phase_ == Phase::InRequest && !response_done_ && !handler_.empty();
  // The handler hears of a client that left, of client inactivity, of its own credit
  // overrun and of shutdown, but not of a handler timeout, a bad seq or its own cancel
  // (overrun checked against condure 1.9.1).
  if (session_open && (reason == CloseReason::ClientGone || reason == CloseReason::Shutdown ||
                       reason == CloseReason::Drained ||
                       reason == CloseReason::ClientTimeout || reason == CloseReason::CreditOverrun)) {
    send_to_handler(control_frame(settings_.instance_id, id_, out_seq_++, zhttp::PacketType::Cancel));
  }
  if (reason == CloseReason::SessionTimeout || reason == CloseReason::ClientTimeout) {
    LOG_DEBUG(kLog, (id_.empty() ? "idle connection" : id_) << " " << close_reason_name(reason));
  }
  close_reason_ = reason;
  close_after_output_ = false;
}

}  // namespace zedge::session
