#include "echo_reader.hpp"

#include <algorithm>
#include <cstring>

namespace zedge::wsload {
namespace {

constexpr std::uint8_t kFinBit = 0x80;
constexpr std::uint8_t kRsvBits = 0x70;
constexpr std::uint8_t kOpcodeBits = 0x0F;
constexpr std::uint8_t kMaskBit = 0x80;
constexpr std::uint8_t kLengthBits = 0x7F;
constexpr std::uint8_t kLength16 = 126;
constexpr std::uint8_t kLength64 = 127;
constexpr std::size_t kMaskKeyBytes = 4;

constexpr std::uint8_t kOpContinuation = 0x0;
constexpr std::uint8_t kOpText = 0x1;
constexpr std::uint8_t kOpClose = 0x8;
constexpr std::uint8_t kOpPing = 0x9;
constexpr std::uint8_t kOpPong = 0xA;

}  // namespace

EchoReader::Result EchoReader::feed(std::string_view data, std::size_t& consumed) {
  std::size_t pos = 0;
  while (pos < data.size()) {
    if (state_ == State::kHead) {
      header_[header_have_++] = static_cast<std::uint8_t>(data[pos++]);
      if (header_have_ == 2) {
        // The second byte tells how long the header is (RFC 6455 §5.2).
        const std::uint8_t length7 = header_[1] & kLengthBits;
        header_need_ = 2 +
                       (length7 == kLength16   ? 2
                        : length7 == kLength64 ? 8
                                               : 0) +
                       ((header_[1] & kMaskBit) != 0 ? kMaskKeyBytes : 0);
      }
      if (header_have_ < header_need_) continue;
      const Result r = start_payload();
      if (r != Result::kNeedMore) {
        consumed = pos;
        return r;
      }
      continue;
    }
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(payload_left_, data.size() - pos));
    if (!frame_is_control_) {
      if (std::memcmp(expected_.data() + matched_, data.data() + pos, n) != 0) {
        consumed = pos;
        return Result::kMismatch;
      }
      matched_ += n;
    }
    pos += n;
    payload_left_ -= n;
    if (payload_left_ == 0) {
      const Result r = end_frame();
      if (r != Result::kNeedMore) {
        consumed = pos;
        return r;
      }
    }
  }
  consumed = pos;
  return Result::kNeedMore;
}

EchoReader::Result EchoReader::start_payload() {
  const std::uint8_t b0 = header_[0];
  const std::uint8_t opcode = b0 & kOpcodeBits;
  if ((header_[1] & kMaskBit) != 0 || (b0 & kRsvBits) != 0) return Result::kBadFrame;
  std::uint64_t length = header_[1] & kLengthBits;
  if (length == kLength16 || length == kLength64) {
    const std::size_t bytes = length == kLength16 ? 2 : 8;
    length = 0;
    for (std::size_t i = 0; i < bytes; ++i) length = (length << 8) | header_[2 + i];
  }
  header_have_ = 0;
  header_need_ = 2;
  frame_fin_ = (b0 & kFinBit) != 0;
  frame_is_control_ = false;
  switch (opcode) {
    case kOpText:
      if (in_message_) return Result::kBadFrame;
      break;
    case kOpContinuation:
      if (!in_message_) return Result::kBadFrame;
      break;
    case kOpClose: return Result::kClose;
    case kOpPing:
    case kOpPong: frame_is_control_ = true; break;
    default: return Result::kMismatch;  // binary, or a reserved opcode
  }
  if (!frame_is_control_ && length > expected_.size() - matched_) return Result::kMismatch;
  payload_left_ = length;
  state_ = State::kPayload;
  return payload_left_ == 0 ? end_frame() : Result::kNeedMore;
}

EchoReader::Result EchoReader::end_frame() {
  state_ = State::kHead;
  if (frame_is_control_) return Result::kNeedMore;
  if (!frame_fin_) {
    in_message_ = true;
    return Result::kNeedMore;
  }
  const bool whole = matched_ == expected_.size();
  in_message_ = false;
  matched_ = 0;
  return whole ? Result::kMessage : Result::kMismatch;
}

}  // namespace zedge::wsload
