// HTTP/1 request parsing (pkg/http1 RequestParser over strict llhttp): heads, chunked and
// Content-Length bodies, pipelined requests. The input is fed twice -- whole, and cut at a
// fuzzer-chosen point with the body offered only a few bytes at a time (as credits allow) --
// and both must tell the same story: same heads, body bytes, completions, error status and
// leftover bytes.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "fuzz_input.hpp"
#include "http1/request_parser.hpp"

namespace {

using zedge::http1::BodyKind;
using zedge::http1::ParserLimits;
using zedge::http1::RequestParser;

struct Feeding {
  std::size_t cut = 0;              // the bytes arrive in two reads, split here (0: one read)
  std::size_t body_step_bytes = 0;  // at most this many body bytes per feed (0: no limit)
};

std::string describe_head(const zedge::http1::RequestHead& head) {
  std::string out = "head " + head.method + " " + head.target + " 1." + std::to_string(head.version_minor);
  out += head.body_kind == BodyKind::None            ? " none"
         : head.body_kind == BodyKind::ContentLength ? " length:" + std::to_string(head.content_length)
                                                     : " chunked";
  out += head.keep_alive ? " keep-alive" : " close";
  if (head.expect_continue) out += " expect";
  if (head.websocket_upgrade) out += " websocket";
  for (const auto& f : head.headers) out += "\n [" + f.name + "][" + f.value + "]";
  return out + "\n";
}

// Runs the parser the way a connection does: a buffer that grows by reads, unconsumed bytes
// kept and offered again after every event. Stops at an error or after an upgrade request.
std::string drive(std::string_view input, const ParserLimits& limits, const Feeding& feeding) {
  RequestParser parser(limits);
  std::string out;
  std::string body;
  std::string buffer;
  bool in_body = false;
  const std::size_t cut = feeding.cut < input.size() ? feeding.cut : 0;
  const std::string_view reads[2] = {input.substr(0, cut == 0 ? input.size() : cut),
                                     cut == 0 ? std::string_view() : input.substr(cut)};
  std::size_t extra = 0;  // grows while a shortened offer is too short to progress
  for (std::size_t r = 0; r < 2; ++r) {
    buffer += reads[r];
    while (true) {
      std::string_view offered = buffer;
      if (in_body && feeding.body_step_bytes != 0) {
        offered = offered.substr(0, feeding.body_step_bytes + extra);
      }
      const RequestParser::Step step = parser.feed(offered);
      FUZZ_CHECK(step.consumed <= offered.size());
      if (step.event == RequestParser::Event::BodyData) {
        FUZZ_CHECK(in_body);
        body += parser.body_data();
      } else if (step.event != RequestParser::Event::NeedMore && !body.empty()) {
        out += "body [" + body + "]\n";
        body.clear();
      }
      const bool whole_buffer_offered = offered.size() == buffer.size();
      buffer.erase(0, step.consumed);
      extra = step.event == RequestParser::Event::NeedMore && step.consumed == 0 ? extra + 1 : 0;
      switch (step.event) {
        case RequestParser::Event::NeedMore:
          if (whole_buffer_offered) break;
          continue;  // offer the bytes held back
        case RequestParser::Event::HeadComplete:
          out += describe_head(parser.head());
          in_body = true;
          continue;
        case RequestParser::Event::BodyData: continue;
        case RequestParser::Event::MessageComplete:
          out += "complete\n";
          in_body = false;
          if (parser.head().websocket_upgrade) {
            // The connection switches protocols; what follows is not HTTP.
            return out + "upgrade, left [" + buffer + std::string(r == 0 ? reads[1] : "") + "]";
          }
          continue;
        case RequestParser::Event::Error:
          FUZZ_CHECK(parser.error().status >= 400 && parser.error().status <= 505);
          // A dead parser stays dead.
          FUZZ_CHECK(parser.feed(buffer).event == RequestParser::Event::Error);
          return out + "error " + std::to_string(parser.error().status);
      }
      break;
    }
  }
  if (!body.empty()) out += "body [" + body + "]\n";
  return out + "left [" + buffer + "]";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  zedge::fuzz::FuzzInput in(data, size);
  const std::uint8_t options = in.byte();
  Feeding feeding;
  feeding.cut = in.u16();
  feeding.body_step_bytes = in.byte() % 8;
  ParserLimits limits;
  if ((options & 1) != 0) {
    // Small limits, so inputs of fuzzer size reach the 414/431 paths.
    limits.max_head_bytes = 256;
    limits.max_headers = 4;
    limits.max_target_bytes = 64;
  }
  const std::string_view input = in.rest();
  const std::string whole = drive(input, limits, Feeding{});
  const std::string cut = drive(input, limits, feeding);
  if (whole != cut) {
    std::fprintf(stderr, "whole:\n%s\n--- cut at %zu, body step %zu:\n%s\n", whole.c_str(), feeding.cut,
                 feeding.body_step_bytes, cut.c_str());
    FUZZ_CHECK(whole == cut);
  }
  return 0;
}
