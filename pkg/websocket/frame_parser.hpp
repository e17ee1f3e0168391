// Parser of WebSocket frames sent by a client (RFC 6455 §5.2). Sans-I/O: fed byte slices
// split anywhere, it reports each frame header, the unmasked payload in pieces as they
// arrive, and the end of each frame. Message-level rules (fragmentation order, control
// frame limits, message size) are checked here; UTF-8 of text and close payloads is the
// caller's job (Utf8Validator, parse_close_payload) because with permessage-deflate it
// applies to the inflated bytes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "websocket/opcode.hpp"

namespace zedge::websocket {

struct FrameHeader {
  bool fin = false;
  bool rsv1 = false;
  bool rsv2 = false;
  bool rsv3 = false;
  Opcode opcode = Opcode::kContinuation;
  bool masked = false;
  std::uint64_t payload_length = 0;
  std::array<std::uint8_t, 4> mask{};
};

struct FrameParserOptions {
  // permessage-deflate was negotiated: RSV1 may be set on the first frame of a data
  // message (RFC 7692 §6). Never on control or continuation frames.
  bool rsv1_allowed = false;
  // Largest data message (sum of its frames' payloads as received) before 1009.
  std::uint64_t max_message_bytes = 16U * 1024U * 1024U;
};

class FrameParser {
 public:
  class Handler {
   public:
    virtual ~Handler() = default;
    virtual void on_frame_header(const FrameHeader& header) = 0;
    // Unmasked payload bytes of the current frame; valid only during the call.
    virtual void on_frame_payload(std::string_view piece) = 0;
    // The current frame's payload is complete (also called for empty payloads).
    virtual void on_frame_end() = 0;
  };

  explicit FrameParser(FrameParserOptions options = {}) : options_(options) {}

  // Consumes bytes, calling back into `handler`. Returns how many bytes were consumed:
  // all of them unless an error occurred, in which case parsing stops just after the
  // offending byte and failed() is true; every later feed consumes nothing.
  std::size_t feed(std::string_view bytes, Handler& handler);

  bool failed() const { return close_code_ != 0; }
  // Close code to send after failed(): 1002 (protocol error) or 1009 (too big).
  std::uint16_t close_code() const { return close_code_; }
  // Short description of the error, for logs.
  std::string_view error_text() const { return error_text_; }

  // True between a non-final data frame and the final continuation frame.
  bool in_fragmented_message() const { return in_message_; }

 private:
  enum class State : std::uint8_t { kHead, kLength16, kLength64, kMask, kPayload };

  void fail(std::uint16_t code, std::string_view text);
  void on_head_byte(std::uint8_t byte);
  void on_length_byte(std::uint8_t byte);
  void on_mask_byte(std::uint8_t byte, Handler& handler);
  // Rules that need the first two bytes only. False after fail().
  bool check_head();
  // Rules that need the length; then either enters kPayload or ends an empty frame.
  void header_complete(Handler& handler);
  void end_frame(Handler& handler);
  void deliver_payload(std::string_view masked, Handler& handler);

  FrameParserOptions options_;
  State state_ = State::kHead;
  FrameHeader header_;
  std::array<std::uint8_t, 8> field_{};  // extended length / mask bytes being gathered
  std::size_t field_have_ = 0;
  std::uint64_t payload_left_ = 0;
  std::uint64_t payload_offset_ = 0;  // position in the frame, for the mask phase
  bool in_message_ = false;
  std::uint64_t message_bytes_ = 0;
  std::uint16_t close_code_ = 0;
  std::string_view error_text_;
};

}  // namespace zedge::websocket
