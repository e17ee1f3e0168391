#include "websocket/frame_parser.hpp"

#include <algorithm>
#include <cstring>

#include "websocket/close_code.hpp"
#include "websocket/frame_bits.hpp"

namespace zedge::websocket {

namespace {

constexpr std::size_t kMaskBytes = 4;
// Payload is unmasked through a stack buffer of this size, so no allocation per frame.
constexpr std::size_t kUnmaskChunkBytes = 4096;

bool is_known_opcode(std::uint8_t op) { return op <= 0x2 || (op >= 0x8 && op <= 0xA); }

std::uint64_t big_endian(const std::uint8_t* p, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v = (v << 8U) | p[i];
  return v;
}

}  // namespace

void FrameParser::fail(std::uint16_t code, std::string_view text) {
  close_code_ = code;
  error_text_ = text;
}

bool FrameParser::check_head() {
  // RFC 6455 §5.1: a server MUST close on an unmasked client frame.
  if (!header_.masked) {
    fail(kCloseProtocolError, "client frame is not masked");
    return false;
  }
  const auto op = static_cast<std::uint8_t>(header_.opcode);
  if (!is_known_opcode(op)) {
    fail(kCloseProtocolError, "reserved opcode");
    return false;
  }
  // §5.2: RSV bits must be 0 unless an extension defines them; RFC 7692 §6 defines RSV1
  // on the first frame of a data message only.
  if (header_.rsv2 || header_.rsv3) {
    fail(kCloseProtocolError, "reserved bit set");
    return false;
  }
  if (header_.rsv1 &&
      (!options_.rsv1_allowed || is_control(header_.opcode) || header_.opcode == Opcode::kContinuation)) {
    fail(kCloseProtocolError, "RSV1 set without permessage-deflate on this frame");
    return false;
  }
  if (is_control(header_.opcode)) {
    if (!header_.fin) {
      fail(kCloseProtocolError, "fragmented control frame");
      return false;
    }
    return true;  // allowed between fragments (RFC 6455 §5.4)
  }
  if (header_.opcode == Opcode::kContinuation) {
    if (!in_message_) {
      fail(kCloseProtocolError, "continuation frame without a started message");
      return false;
    }
  } else if (in_message_) {
    fail(kCloseProtocolError, "new data frame inside a fragmented message");
    return false;
  }
  return true;
}

void FrameParser::header_complete(Handler& handler) {
  if (is_control(header_.opcode)) {
    if (header_.payload_length > kMaxControlPayloadBytes) {
      fail(kCloseProtocolError, "control frame payload over 125 bytes");
      return;
    }
  } else {
    if (header_.opcode != Opcode::kContinuation) message_bytes_ = 0;
    if (header_.payload_length > options_.max_message_bytes - message_bytes_ ||
        message_bytes_ > options_.max_message_bytes) {
      fail(kCloseMessageTooBig, "message too big");
      return;
    }
    message_bytes_ += header_.payload_length;
    in_message_ = !header_.fin;
  }
  handler.on_frame_header(header_);
  payload_left_ = header_.payload_length;
  payload_offset_ = 0;
  if (payload_left_ == 0) {
    end_frame(handler);
  } else {
    state_ = State::kPayload;
  }
}

void FrameParser::end_frame(Handler& handler) {
  state_ = State::kHead;
  field_have_ = 0;
  handler.on_frame_end();
}

void FrameParser::deliver_payload(std::string_view masked, Handler& handler) {
  std::array<char, kUnmaskChunkBytes> chunk;
  while (!masked.empty()) {
    const std::size_t n = std::min(masked.size(), chunk.size());
    // The key repeated over 8 bytes, starting at this piece's phase: unmasking a word at a
    // time instead of a byte (it was a tenth of zedge's CPU on 4 KB messages).
    std::array<std::uint8_t, 8> key{};
    for (std::size_t k = 0; k < key.size(); ++k) key[k] = header_.mask[(payload_offset_ + k) % kMaskBytes];
    std::uint64_t key_word;
    std::memcpy(&key_word, key.data(), sizeof key_word);
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      std::uint64_t word;
      std::memcpy(&word, masked.data() + i, sizeof word);
      word ^= key_word;
      std::memcpy(chunk.data() + i, &word, sizeof word);
    }
    for (; i < n; ++i) {
      const std::uint8_t k = header_.mask[(payload_offset_ + i) % kMaskBytes];
      chunk[i] = static_cast<char>(static_cast<std::uint8_t>(masked[i]) ^ k);
    }
    payload_offset_ += n;
    handler.on_frame_payload(std::string_view(chunk.data(), n));
    masked.remove_prefix(n);
  }
}

void FrameParser::on_head_byte(std::uint8_t byte) {
  field_[field_have_++] = byte;
  if (field_have_ < 2) return;
  const std::uint8_t b0 = field_[0];
  const std::uint8_t b1 = field_[1];
  field_have_ = 0;
  header_ = FrameHeader{};
  header_.fin = (b0 & kFinBit) != 0;
  header_.rsv1 = (b0 & kRsv1Bit) != 0;
  header_.rsv2 = (b0 & kRsv2Bit) != 0;
  header_.rsv3 = (b0 & kRsv3Bit) != 0;
  header_.opcode = static_cast<Opcode>(b0 & kOpcodeBits);
  header_.masked = (b1 & kMaskBit) != 0;
  if (!check_head()) return;
  const std::uint8_t len7 = b1 & kLengthBits;
  if (len7 == kLength16Marker) {
    state_ = State::kLength16;
  } else if (len7 == kLength64Marker) {
    state_ = State::kLength64;
  } else {
    header_.payload_length = len7;
    state_ = State::kMask;
  }
}

void FrameParser::on_length_byte(std::uint8_t byte) {
  const std::size_t need = state_ == State::kLength16 ? 2 : 8;
  field_[field_have_++] = byte;
  if (field_have_ < need) return;
  const std::uint64_t length = big_endian(field_.data(), need);
  field_have_ = 0;
  // RFC 6455 §5.2: "the minimal number of bytes MUST be used"; the 64-bit form has its most
  // significant bit clear.
  if (need == 2 && length <= kMax7BitLength) {
    fail(kCloseProtocolError, "16-bit length not minimally encoded");
  } else if (need == 8 && (length >> 63U) != 0) {
    fail(kCloseProtocolError, "64-bit length has its top bit set");
  } else if (need == 8 && length <= kMax16BitLength) {
    fail(kCloseProtocolError, "64-bit length not minimally encoded");
  } else {
    header_.payload_length = length;
    state_ = State::kMask;
  }
}

void FrameParser::on_mask_byte(std::uint8_t byte, Handler& handler) {
  header_.mask[field_have_++] = byte;
  if (field_have_ < kMaskBytes) return;
  field_have_ = 0;
  header_complete(handler);
}

std::size_t FrameParser::feed(std::string_view bytes, Handler& handler) {
  std::size_t pos = 0;
  while (!failed() && pos < bytes.size()) {
    if (state_ == State::kPayload) {
      const std::size_t available = bytes.size() - pos;
      const std::size_t n = payload_left_ < available ? static_cast<std::size_t>(payload_left_) : available;
      deliver_payload(bytes.substr(pos, n), handler);
      pos += n;
      payload_left_ -= n;
      if (payload_left_ == 0) end_frame(handler);
      continue;
    }
    // Header bytes are taken one at a time: at most 14 per frame, and it keeps every
    // split point equivalent without a second buffering path.
    const auto byte = static_cast<std::uint8_t>(bytes[pos++]);
    switch (state_) {
      case State::kHead: on_head_byte(byte); break;
      case State::kLength16:
      case State::kLength64: on_length_byte(byte); break;
      case State::kMask: on_mask_byte(byte, handler); break;
      case State::kPayload: break;  // handled above
    }
  }
  return pos;
}

}  // namespace zedge::websocket
