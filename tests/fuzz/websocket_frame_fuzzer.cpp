// WebSocket frames from a client (pkg/websocket FrameParser, RFC 6455 §5.2). The frames are
// parsed whole and again cut at two fuzzer-chosen points; both runs must report the same
// headers, unmasked payloads, frame ends and failure. Each frame's pieces add up to its
// declared length, and a failed parser consumes nothing more.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_input.hpp"
#include "websocket/frame_parser.hpp"

namespace {

using zedge::websocket::FrameHeader;
using zedge::websocket::FrameParser;
using zedge::websocket::FrameParserOptions;

class Transcript : public FrameParser::Handler {
 public:
  void on_frame_header(const FrameHeader& h) override {
    FUZZ_CHECK(!in_frame_);
    FUZZ_CHECK(h.masked);  // unmasked client frames are refused
    FUZZ_CHECK(!zedge::websocket::is_control(h.opcode) ||
               h.payload_length <= zedge::websocket::kMaxControlPayloadBytes);
    in_frame_ = true;
    payload_left_ = h.payload_length;
    text += "frame fin=" + std::to_string(h.fin) + " rsv1=" + std::to_string(h.rsv1) +
            " op=" + std::to_string(static_cast<int>(h.opcode)) + " len=" + std::to_string(h.payload_length) + " [";
  }
  void on_frame_payload(std::string_view piece) override {
    FUZZ_CHECK(in_frame_ && piece.size() <= payload_left_);
    payload_left_ -= piece.size();
    text += piece;
  }
  void on_frame_end() override {
    FUZZ_CHECK(in_frame_ && payload_left_ == 0);
    in_frame_ = false;
    text += "]\n";
  }

  std::string text;

 private:
  bool in_frame_ = false;
  std::uint64_t payload_left_ = 0;
};

std::string drive(std::string_view input, const FrameParserOptions& options, std::size_t cut1, std::size_t cut2) {
  FrameParser parser(options);
  Transcript t;
  const std::size_t ends[3] = {std::min(cut1, input.size()), std::min(std::max(cut1, cut2), input.size()),
                               input.size()};
  std::size_t at = 0;
  for (const std::size_t end : ends) {
    const std::string_view piece = input.substr(at, end - at);
    at = end;
    const std::size_t used = parser.feed(piece, t);
    FUZZ_CHECK(used <= piece.size());
    if (parser.failed()) {
      FUZZ_CHECK(parser.close_code() == 1002 || parser.close_code() == 1009);
      FUZZ_CHECK(!parser.error_text().empty());
      FUZZ_CHECK(parser.feed(input.substr(at), t) == 0);
      return t.text + "failed " + std::to_string(parser.close_code()) + " " + std::string(parser.error_text());
    }
    FUZZ_CHECK(used == piece.size());
  }
  return t.text + (parser.in_fragmented_message() ? "in message" : "between messages");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  zedge::fuzz::FuzzInput in(data, size);
  const std::uint8_t flags = in.byte();
  FrameParserOptions options;
  options.rsv1_allowed = (flags & 1) != 0;
  if ((flags & 2) != 0) options.max_message_bytes = in.u16();  // reach 1009 with small inputs
  const std::size_t cut1 = in.u16();
  const std::size_t cut2 = in.u16();
  const std::string_view frames = in.rest();
  const std::string whole = drive(frames, options, 0, 0);
  const std::string cut = drive(frames, options, cut1, cut2);
  FUZZ_CHECK(whole == cut);
  return 0;
}
