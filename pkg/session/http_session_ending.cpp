// The HTTP phase: answers zedge gives itself (errors, 502, 503), timers, graceful drain and
// the rules for how a connection ends and what its handler hears then.
#include "http1/response_writer.hpp"
#include "log/log.hpp"
#include "session/http_session.hpp"

namespace zedge::session {
namespace {

constexpr const char* kLog = "session";

}  // namespace

// ---------------------------------------------------------------- answers of our own

void HttpSession::answer(int status, std::string_view body, CloseReason reason) {
  const int version_minor = parser_.head().version_minor == 0 ? 0 : 1;
  http1::write_simple_response(version_minor, status, http1::reason_phrase(status), body, false, output_);
  if (request_.stage == Stage::AwaitingHead) request_.started = now_;  // refused while parsing the head
  report_response(status);
  end_.close_when_written(reason, true);
}

void HttpSession::answer_error(int status, std::string_view message) {
  LOG_INFO(kLog, "client error " << status << ": " << message);
  // A handler already working on this request hears that it is abandoned, as on any
  // local error in Condure.
  cancel_handler_request();
  if (request_.response_started) {
    // Part of a response is already out: another status line would corrupt it.
    end_.close_now(CloseReason::ClientError);
    return;
  }
  answer(status, std::string(message) + "\n", CloseReason::ClientError);
}

void HttpSession::answer_body_too_large() {
  answer_error(413,
               "Request body exceeds the limit of " + std::to_string(settings_.body_buffer_size_bytes) + " bytes.");
}

void HttpSession::answer_shutting_down() {
  cancel_handler_request();
  answer(503, "The server is shutting down; retry the request.\n", CloseReason::Drained);
}

void HttpSession::on_handler_unreachable() {
  // A finished response needs nothing more from its handler (the lost packet was a credit).
  if (!end_.open() || request_.stage != Stage::InRequest || !link_.known() || request_.response_done) return;
  LOG_INFO(kLog, link_.id() << " handler " << link_.address() << " is gone"
                            << (request_.response_started ? "; response cut short" : ""));
  if (request_.response_started) {
    close(CloseReason::HandlerGone);
    return;
  }
  answer(502, "The handler of this request went away.\n", CloseReason::HandlerGone);
}

// ---------------------------------------------------------------- time

void HttpSession::on_tick(Clock::time_point now) {
  now_ = now;
  if (!end_.open()) return;
  if (request_.stage == Stage::WaitingForHandler) {
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
  if (!idle()) return;
  parser_.release_memory();
  // Only buffers go: between requests their contents are empty, and the rest of the state
  // (a head partly here, say) must stay as it is.
  for (std::string* s : {&output_, &request_.uri, &request_.body_out, &link_.state().id, &link_.state().address}) {
    std::string().swap(*s);
  }
  std::vector<std::string>().swap(request_.body_pieces);
}

// ---------------------------------------------------------------- state

bool HttpSession::idle() const { return request_.stage == Stage::AwaitingHead && !output_pending() && end_.open(); }

bool HttpSession::between_requests() const { return idle() && request_begun_ && !request_.head_started; }

bool HttpSession::awaiting_handler() const {
  return settings_.mode == Mode::Stream && request_.stage == Stage::InRequest && !link_.known() &&
         !link_.id().empty() && !request_.response_done;
}

bool HttpSession::response_in_progress() const {
  return end_.open() && request_.response_started && !request_.response_done;
}

bool HttpSession::wants_keepalive() const { return end_.open() && handler_holds_request() && !link_.paused(); }

bool HttpSession::handler_holds_request() const {
  return settings_.mode == Mode::Stream && request_.stage == Stage::InRequest && !request_.response_done &&
         link_.known();
}

void HttpSession::cancel_handler_request() {
  if (handler_holds_request()) link_.send_cancel();
}

// ---------------------------------------------------------------- graceful drain

void HttpSession::close_if_idle() {
  // Only between requests: a new connection's first request, or a head partly here, is
  // still owed its answer.
  if (between_requests()) close(CloseReason::Drained);
}

void HttpSession::go_away() {
  refusing_ = true;
  if (!end_.open()) return;
  if (request_.stage == Stage::AwaitingHead) {
    // A connection that served a request and has nothing in progress was told
    // `Connection: close` or has been quiet: close it. A new one, or one whose next head
    // is partly here, is owed an answer: its request gets 503 when the head is complete.
    close_if_idle();
    return;
  }
  // A response whose last byte came from the handler is still being written: let it end.
  if (request_.response_done) return;
  if (request_.response_started) {
    // Part of the response is out: it is cut (its handler hears `cancel`).
    close(CloseReason::Drained);
    return;
  }
  // Nothing was answered yet: the client hears 503 and may retry elsewhere.
  answer_shutting_down();
}

// ---------------------------------------------------------------- endings

void HttpSession::on_client_closed() {
  if (end_.closed()) return;
  client_eof_ = true;
  // A client that leaves between requests simply closes; one that leaves during a request
  // abandons it, and the handler is told.
  if (request_.stage == Stage::InRequest && !request_.response_done) {
    close(CloseReason::ClientGone);
  } else if (request_.stage != Stage::InRequest || !output_pending()) {
    close(CloseReason::Done);
  }
  // Otherwise a finished response is still being written: close once it is out.
}

void HttpSession::close(CloseReason reason) {
  if (end_.closed()) return;
  if (HandlerLink::handler_hears_cancel(reason)) cancel_handler_request();
  if (reason == CloseReason::SessionTimeout || reason == CloseReason::ClientTimeout) {
    LOG_DEBUG(kLog, (link_.id().empty() ? "idle connection" : link_.id()) << " " << close_reason_name(reason));
  }
  end_.close_now(reason);
}

}  // namespace zedge::session
