// The fixed fields of a WebSocket frame header (RFC 6455 §5.2), shared by the frame parser
// and writer: flag and opcode bits of the first byte, mask bit and 7-bit length of the
// second, and the three length encodings.
#pragma once

#include <cstdint>

namespace zedge::websocket {

inline constexpr std::uint8_t kFinBit = 0x80;
inline constexpr std::uint8_t kRsv1Bit = 0x40;
inline constexpr std::uint8_t kRsv2Bit = 0x20;
inline constexpr std::uint8_t kRsv3Bit = 0x10;
inline constexpr std::uint8_t kOpcodeBits = 0x0F;
inline constexpr std::uint8_t kMaskBit = 0x80;
inline constexpr std::uint8_t kLengthBits = 0x7F;
// A 7-bit length of 0..125 is the payload length; 126 says a 16-bit length follows, 127 a
// 64-bit one. Each payload length has one valid (the shortest) encoding.
inline constexpr std::uint64_t kMax7BitLength = 125;
inline constexpr std::uint64_t kMax16BitLength = 0xFFFF;
inline constexpr std::uint8_t kLength16Marker = 126;
inline constexpr std::uint8_t kLength64Marker = 127;

}  // namespace zedge::websocket
