// Frames sent by the server (RFC 6455 §5.2): never masked (§5.1), length in the shortest
// of the 7/16/64-bit encodings. Appends to a caller-owned buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "websocket/opcode.hpp"

namespace zedge::websocket {

// Largest frame header a server writes: 2 fixed bytes + 8 length bytes, no mask.
inline constexpr std::size_t kMaxServerHeaderBytes = 10;

// Size of the header for a payload of `payload_length` bytes: 2, 4 or 10.
std::size_t frame_header_size(std::uint64_t payload_length);

// Appends a frame header only (for callers that write the payload themselves).
void append_frame_header(std::string& out, Opcode opcode, bool fin, bool rsv1, std::uint64_t payload_length);

// Appends header + payload. Returns false and appends nothing for a control frame that
// is not final or whose payload is over 125 bytes (RFC 6455 §5.5).
bool append_frame(std::string& out, Opcode opcode, bool fin, std::string_view payload, bool rsv1 = false);

// Appends a close frame whose payload is the code and the reason (reason cut to fit).
void append_close_frame(std::string& out, std::uint16_t code, std::string_view reason);

}  // namespace zedge::websocket
