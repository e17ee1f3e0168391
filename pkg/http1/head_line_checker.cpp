#include "http1/head_line_checker.hpp"

namespace zedge::http1 {
namespace {

constexpr char kCR = '\r';
constexpr char kLF = '\n';

bool is_control(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

}  // namespace

void HeadLineChecker::start_head() {
  state_ = State::Preamble;
  request_line_spaces_ = 0;
  problem_ = {};
}

void HeadLineChecker::start_trailers() {
  state_ = State::LineStart;
  request_line_spaces_ = 0;
  problem_ = {};
}

bool HeadLineChecker::check(std::string_view bytes) {
  for (const char c : bytes) {
    if (state_ == State::Done) return true;
    if (!step(c)) return false;
  }
  return state_ != State::Failed;
}

bool HeadLineChecker::fail(std::string_view why) {
  state_ = State::Failed;
  problem_ = why;
  return false;
}

// Every line ends in CRLF (RFC 9112 §2.2: a bare CR must be rejected; zedge also refuses
// the optional bare-LF leniency so that it frames messages exactly like a strict peer).
bool HeadLineChecker::step(char c) {
  switch (state_) {
    case State::Preamble:
      if (c == kCR) {
        state_ = State::PreambleCR;
        return true;
      }
      if (c == kLF) return fail("bare LF before the request line");
      state_ = State::RequestLine;
      return step(c);
    case State::PreambleCR:
      if (c != kLF) return fail("bare CR before the request line");
      state_ = State::Preamble;
      return true;
    case State::RequestLine:
      // RFC 9112 §3: method SP request-target SP HTTP-version, single spaces, no other
      // whitespace (lenient splitting on whitespace invites smuggling, RFC 9112 §3 last
      // paragraph).
      if (c == kCR) {
        state_ = State::RequestLineCR;
      } else if (c == kLF) {
        return fail("bare LF in the request line");
      } else if (c == ' ') {
        ++request_line_spaces_;
      } else if (is_control(c)) {
        return fail("control character in the request line");
      }
      return true;
    case State::RequestLineCR:
      if (c != kLF) return fail("bare CR in the request line");
      if (request_line_spaces_ != 2) return fail("request line is not method SP target SP version");
      state_ = State::LineStart;
      return true;
    case State::LineStart:
      if (c == kCR) {
        state_ = State::BlankLineCR;
      } else if (c == kLF) {
        return fail("bare LF in the header section");
      } else if (c == ' ' || c == '\t') {
        // RFC 9112 §5.2: obs-fold must be rejected with 400 (or replaced) by a server;
        // RFC 9112 §2.2: whitespace between the start-line and the first field must be
        // rejected.
        return fail("obsolete line folding or whitespace at the start of a header line");
      } else if (c == ':') {
        // field-name = token, so it is never empty; llhttp 8.1 lets ": value" through.
        return fail("header line without a field name");
      } else {
        state_ = State::FieldLine;
      }
      return true;
    case State::FieldLine:
      if (c == kCR) {
        state_ = State::FieldLineCR;
      } else if (c == kLF) {
        return fail("bare LF in a header line");
      } else if (c == '\0') {
        return fail("NUL in a header line");
      }
      return true;
    case State::FieldLineCR:
      if (c != kLF) return fail("bare CR in a header line");
      state_ = State::LineStart;
      return true;
    case State::BlankLineCR:
      if (c != kLF) return fail("bare CR at the end of the header section");
      state_ = State::Done;
      return true;
    case State::Done: return true;
    case State::Failed: return false;
  }
  return false;
}

}  // namespace zedge::http1
