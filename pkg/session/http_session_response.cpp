// The HTTP phase, handler -> client: packets from the handler become the response (or the
// answer to a WebSocket upgrade), and written output earns the handler its credits back.
#include <algorithm>

#include "http1/field_text.hpp"
#include "log/log.hpp"
#include "session/http_session.hpp"
#include "session/websocket_upgrade.hpp"

namespace zedge::session {
namespace {

constexpr const char* kLog = "session";

}  // namespace

void HttpSession::on_handler_packet(const zhttp::Packet& packet, const zhttp::IdSeq& addressed, Clock::time_point now) {
  now_ = now;
  if (!end_.open() || request_.stage != Stage::InRequest) return;
  if (settings_.mode == Mode::Req) {
    on_req_reply(packet);
    return;
  }
  if (!link_.accept(packet, addressed)) {
    close(CloseReason::ProtocolError);
    return;
  }
  arm(settings_.session_timeout, now);
  if (request_.upgrade_requested) {
    on_upgrade_reply(packet, now);
    return;
  }
  // After handoff-proceed the session waits for this packet (from the new owner).
  const bool resumed = link_.resume();
  on_stream_packet(packet);
  if (!end_.open()) return;
  // New credits may release body already parsed and waiting.
  if (request_.has_body && !request_.final_body_sent && !link_.paused() && !request_.body_pieces.empty()) {
    send_body_pieces();
  }
  if (resumed && !request_.response_done) link_.return_owed_credits();
  if (!output_pending()) after_output_drained(now);
}

void HttpSession::on_stream_packet(const zhttp::Packet& packet) {
  ActiveRequest& r = request_;
  HandlerLinkState& link = link_.state();
  const bool first_from_handler = !r.handler_seen;
  r.handler_seen = true;
  if (!take_common_packet(packet)) return;  // the handler gave up: nothing is written, like Condure
  // Other types were read by take_common_packet, or mean nothing in HTTP.
  if (packet.type == zhttp::PacketType::Data) {
    // Body beyond the credits we offered would overflow Condure's buffer; it closes the
    // connection, and so do we.
    if (to_i64(packet.body.size()) > link.receive_credits) {
      LOG_WARN(kLog, link.id << " handler sent " << packet.body.size() << " body bytes with only "
                             << link.receive_credits << " credits; closing");
      close(CloseReason::CreditOverrun);
      return;
    }
    link.receive_credits -= to_i64(packet.body.size());
    if (!r.response_started) {
      start_response(packet, false);
    } else if (!r.response_done) {
      append_response_body(packet.body, packet.more);
    }
  }
  // 100-continue is sent when zedge starts reading the body, i.e. after the handler's
  // first packet, unless that packet was already the final response.
  if (first_from_handler && !r.response_started && r.has_body && !r.body_done && parser_.head().expect_continue) {
    output_ += "HTTP/1.1 100 Continue\r\n\r\n";
  }
}

void HttpSession::on_upgrade_reply(const zhttp::Packet& packet, Clock::time_point now) {
  request_.handler_seen = true;
  switch (packet.type) {
    case zhttp::PacketType::Data:
      if (!packet.code || *packet.code == 101) {
        accept_websocket(packet, now);
        return;
      }
      // Condure would write this with the upgrade headers and switch anyway; a client
      // cannot make sense of that, so it goes out as a plain refusal (api/zhttp.md).
      LOG_WARN(kLog, link_.id() << " handler answered a WebSocket upgrade with " << *packet.code
                                << " instead of 101 or a rejection; sent as a plain response");
      [[fallthrough]];
    case zhttp::PacketType::Error:
      if (packet.type == zhttp::PacketType::Error && packet.condition != "rejected") {
        close(CloseReason::HandlerEnded);
        return;
      }
      write_upgrade_refusal(packet, output_);
      report_response(packet.code ? static_cast<int>(*packet.code) : 200);
      request_.response_started = request_.response_done = true;
      end_.close_when_written(CloseReason::Rejected, true);
      return;
    case zhttp::PacketType::Credit:
      if (packet.credits) link_.state().send_credits += *packet.credits;
      return;
    case zhttp::PacketType::Cancel: close(CloseReason::HandlerEnded); return;
    default: return;  // keep-alive; nothing else means anything before the answer
  }
}

void HttpSession::accept_websocket(const zhttp::Packet& packet, Clock::time_point now) {
  if (!packet.body.empty()) LOG_DEBUG(kLog, link_.id() << " body of the WebSocket accept packet ignored");
  WebSocketStart start;
  start.output.swap(output_);
  std::string extensions;
  if (settings_.compression) {
    const auto offers = websocket_extension_offers(parser_.head());
    start.deflate = websocket::negotiate_permessage_deflate(offers);
    if (start.deflate) extensions = websocket::deflate_response_value(*start.deflate);
  }
  write_switching_protocols(packet, parser_.head(), extensions, start.output);
  report_response(101);
  start.link = std::move(link_.state());
  // Condure assumes a buffer's worth when the accept grants nothing (connection.rs).
  start.link.send_credits += packet.credits.value_or(0);
  if (start.link.send_credits <= 0) start.link.send_credits = to_i64(settings_.buffer_size_bytes);
  start.writing = writing_;
  start.draining = draining_;
  // The owner replaces this phase with the next one at once (adopt_next_phase), which
  // gives back everything the HTTP phase held.
  next_phase_ = std::make_unique<WebSocketSession>(settings_, sink_, std::move(start), now);
}

std::unique_ptr<SessionPhase> HttpSession::take_next_phase() { return std::move(next_phase_); }

void HttpSession::on_req_reply(const zhttp::Packet& packet) {
  if (packet.type != zhttp::PacketType::Data) {
    LOG_DEBUG(kLog, link_.id() << " req mode: skipping non-data packet");
    return;
  }
  if (request_.response_started) return;
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
  info.keep_alive = head.keep_alive && request_.body_done && !draining_;
  const auto plan = http1::plan_response(info);
  if (!plan) {
    LOG_WARN(kLog, link_.id() << " handler sent a response zedge cannot write (bad Content-Length or header); closing");
    close(CloseReason::ProtocolError);
    return;
  }
  const std::size_t head_start = output_.size();
  http1::write_head(info, *plan, output_);
  // A head bigger than a buffer would sit outside every credit; Condure closes and
  // cancels then (observed: 8,000 bytes of header pass, 8,150 do not).
  if (output_.size() - head_start > settings_.buffer_size_bytes) {
    output_.resize(head_start);
    LOG_WARN(kLog,
             link_.id() << " handler's response head is over " << settings_.buffer_size_bytes << " bytes; closing");
    close(CloseReason::CreditOverrun);
    return;
  }
  request_.plan = *plan;
  request_.body_left = plan->content_length;
  request_.response_started = true;
  request_.status = info.code;
  append_response_body(packet.body, info.more);
}

void HttpSession::append_response_body(std::string_view body, bool more) {
  ActiveRequest& r = request_;
  switch (r.plan.framing) {
    case http1::Framing::NoBody:
      // Nothing is written (HEAD, 204, 304), so the credits come back at once or a
      // streaming handler would wait for them forever.
      if (more && !body.empty() && settings_.mode == Mode::Stream && link_.known()) {
        link_.send_credits(to_i64(body.size()));
      }
      break;
    case http1::Framing::ContentLength:
      if (body.size() > r.body_left) {
        reject_body_past_length(body.size());
        return;
      }
      r.body_left -= body.size();
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
    r.response_done = true;
    report_response(r.status);
    if (r.plan.framing == http1::Framing::ContentLength && r.body_left > 0) close_short_of_length();
  }
}

// Bytes past the length would reach a kept-alive client as the start of the next
// response, so none of this packet is written; the client sees the body cut short.
void HttpSession::reject_body_past_length(std::size_t bytes) {
  LOG_WARN(kLog, link_.id() << " handler sent " << bytes << " body bytes with " << request_.body_left
                            << " left of its Content-Length; closing");
  cancel_handler_request();
  // Nothing more of this response will be taken: no credits, keep-alives or second cancel.
  request_.response_done = true;
  end_.close_when_written(CloseReason::ProtocolError, output_pending());
}

// Kept open, the client would wait for the rest, or read the next response as body.
void HttpSession::close_short_of_length() {
  LOG_WARN(kLog, link_.id() << " handler ended its response " << request_.body_left
                            << " bytes short of its Content-Length; closing");
  end_.close_when_written(CloseReason::ProtocolError, output_pending());
}

void HttpSession::report_response(int status) {
  if (settings_.events != nullptr) settings_.events->request_done(status, now_ - request_.started);
}

// ---------------------------------------------------------------- output

std::size_t HttpSession::take_output(std::string& out) {
  out.swap(output_);
  const std::size_t ticket = output_body_bytes_;
  output_body_bytes_ = 0;
  ++writing_;
  return ticket;
}

void HttpSession::on_written(std::size_t ticket, Clock::time_point now) {
  now_ = now;
  if (writing_ > 0) --writing_;
  if (settings_.mode == Mode::Stream) client_deadline_ = now + settings_.stream_timeout;
  if (end_.closed()) return;
  // Credits go back as body bytes reach the client, except for a finished response (its
  // last piece earns none, as in Condure); while a handoff pauses the session they wait for
  // the new owner.
  if (settings_.mode == Mode::Stream && request_.stage == Stage::InRequest && !request_.response_done && ticket > 0 &&
      link_.known()) {
    link_.owe_credits(to_i64(ticket));
    link_.return_owed_credits();
  }
  if (!output_pending()) after_output_drained(now);
}

void HttpSession::after_output_drained(Clock::time_point now) {
  if (link_.handoff_pending() && end_.open()) {
    // Everything queued reached the client: the handler may hand the session over, and
    // we stay silent until the next packet arrives.
    link_.proceed_handoff();
  }
  if (end_.after_output()) {
    end_.output_drained();
    return;
  }
  finish_request_if_done(now);
}

}  // namespace zedge::session
