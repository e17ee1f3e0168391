// Line discipline of a request head or trailer section, checked byte by byte. llhttp 8.1
// (even in strict mode) accepts a bare LF after the request line and as the blank line,
// extra spaces in the request line and obs-fold; each is a request-smuggling lever when
// another hop reads the bytes differently, so zedge refuses them here. Internal.
#pragma once

#include <string_view>

namespace zedge::http1 {

class HeadLineChecker {
 public:
  // A request head: optional empty lines, the request-line, field lines, a blank line.
  void start_head();
  // A trailer section (RFC 9112 §7.1.2): field lines, then a blank line.
  void start_trailers();

  // Checks the next bytes of the section; false once a rule is broken (see problem()).
  bool check(std::string_view bytes);

  std::string_view problem() const { return problem_; }

 private:
  enum class State {
    Preamble,  // before the request-line; empty lines allowed (RFC 9112 §2.2)
    PreambleCR,
    RequestLine,
    RequestLineCR,
    LineStart,  // start of a field line or the final blank line
    FieldLine,
    FieldLineCR,
    BlankLineCR,
    Done,  // blank line seen: the section is over
    Failed,
  };

  bool step(char c);
  bool fail(std::string_view why);

  State state_ = State::Preamble;
  int request_line_spaces_ = 0;
  std::string_view problem_;
};

}  // namespace zedge::http1
