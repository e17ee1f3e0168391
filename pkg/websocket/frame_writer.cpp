#include "websocket/frame_writer.hpp"

#include "websocket/close_code.hpp"
#include "websocket/frame_bits.hpp"

namespace zedge::websocket {

std::size_t frame_header_size(std::uint64_t payload_length) {
  if (payload_length <= kMax7BitLength) return 2;
  if (payload_length <= kMax16BitLength) return 4;
  return 10;
}

void append_frame_header(std::string& out, Opcode opcode, bool fin, bool rsv1, std::uint64_t payload_length) {
  std::uint8_t b0 = static_cast<std::uint8_t>(opcode);
  if (fin) b0 = static_cast<std::uint8_t>(b0 | kFinBit);
  if (rsv1) b0 = static_cast<std::uint8_t>(b0 | kRsv1Bit);
  out.push_back(static_cast<char>(b0));
  if (payload_length <= kMax7BitLength) {
    out.push_back(static_cast<char>(payload_length));
    return;
  }
  const std::size_t length_bytes = payload_length <= kMax16BitLength ? 2 : 8;
  out.push_back(static_cast<char>(length_bytes == 2 ? kLength16Marker : kLength64Marker));
  for (std::size_t i = length_bytes; i > 0; --i) {
    out.push_back(static_cast<char>((payload_length >> (8U * (i - 1))) & 0xFFU));
  }
}

bool append_frame(std::string& out, Opcode opcode, bool fin, std::string_view payload, bool rsv1) {
  if (is_control(opcode) && (!fin || payload.size() > kMaxControlPayloadBytes)) return false;
  out.reserve(out.size() + frame_header_size(payload.size()) + payload.size());
  append_frame_header(out, opcode, fin, rsv1, payload.size());
  out.append(payload);
  return true;
}

void append_close_frame(std::string& out, std::uint16_t code, std::string_view reason) {
  append_frame(out, Opcode::kClose, true, make_close_payload(code, reason));
}

}  // namespace zedge::websocket
