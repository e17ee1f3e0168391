// WebSocket opcodes (RFC 6455 §5.2, §11.8). Values 3–7 and 0xB–0xF are reserved.
#pragma once

#include <cstdint>

namespace zedge::websocket {

enum class Opcode : std::uint8_t {
  kContinuation = 0x0,
  kText = 0x1,
  kBinary = 0x2,
  kClose = 0x8,
  kPing = 0x9,
  kPong = 0xA,
};

// Control frames have the high bit of the opcode set (RFC 6455 §5.5).
constexpr bool is_control(Opcode op) { return (static_cast<std::uint8_t>(op) & 0x8U) != 0; }

// Largest payload of a control frame (RFC 6455 §5.5).
inline constexpr std::uint64_t kMaxControlPayloadBytes = 125;

}  // namespace zedge::websocket
