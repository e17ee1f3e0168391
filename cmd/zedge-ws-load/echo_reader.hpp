// Reads the server's echo of one message (RFC 6455 §5.2): unmasked frames (§5.1), a text
// frame and any continuations, compared byte by byte with what was sent as they arrive,
// so no frame is ever buffered whole. A server may fragment the echo (Condure does when
// the handler sends a message in pieces within its credits).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace zedge::wsload {

class EchoReader {
 public:
  enum class Result {
    kNeedMore,  // every byte consumed, the message is not complete yet
    kMessage,   // one whole echo read; bytes after it are left for the next feed
    kClose,     // the server sent a close frame
    kBadFrame,  // masked, reserved opcode, or continuation out of place
    kMismatch,  // binary, too long, too short, or other bytes than sent
  };

  explicit EchoReader(std::string_view expected) : expected_(expected) {}

  // Reads from `data`; `consumed` tells how many bytes were used.
  Result feed(std::string_view data, std::size_t& consumed);

 private:
  enum class State : std::uint8_t { kHead, kPayload };
  // Called once the whole header is in header_; picks the next state or a result.
  Result start_payload();
  Result end_frame();

  std::string_view expected_;
  State state_ = State::kHead;
  std::array<std::uint8_t, 14> header_{};  // 2 + 8 length + 4 mask bytes at most
  std::size_t header_have_ = 0;
  std::size_t header_need_ = 2;
  std::uint64_t payload_left_ = 0;
  bool frame_fin_ = false;
  bool frame_is_control_ = false;  // ping/pong payloads are skipped
  bool in_message_ = false;        // a non-final text frame was read
  std::size_t matched_ = 0;        // bytes of expected_ echoed so far
};

}  // namespace zedge::wsload
