#include "masked_frame.hpp"

#include <array>
#include <cstring>

namespace zedge::wsload {
namespace {

constexpr std::uint8_t kFinText = 0x81;  // FIN + opcode 1 (text)
constexpr std::uint8_t kMaskBit = 0x80;
constexpr std::uint8_t kLength16 = 126;  // 7-bit length saying "16-bit length follows"
constexpr std::uint8_t kLength64 = 127;
constexpr std::size_t kLength7Max = 125;
constexpr std::size_t kLength16Max = 0xFFFF;
constexpr std::size_t kMaskKeyBytes = 4;

}  // namespace

MaskedFrame::MaskedFrame(std::string_view payload) : payload_(payload) {
  const std::uint64_t n = payload.size();
  frame_.push_back(static_cast<char>(kFinText));
  // Shortest length encoding (RFC 6455 §5.2).
  if (n <= kLength7Max) {
    frame_.push_back(static_cast<char>(kMaskBit | n));
  } else if (n <= kLength16Max) {
    frame_.push_back(static_cast<char>(kMaskBit | kLength16));
    for (int shift = 8; shift >= 0; shift -= 8) frame_.push_back(static_cast<char>(n >> shift));
  } else {
    frame_.push_back(static_cast<char>(kMaskBit | kLength64));
    for (int shift = 56; shift >= 0; shift -= 8) frame_.push_back(static_cast<char>(n >> shift));
  }
  key_offset_ = frame_.size();
  frame_.resize(key_offset_ + kMaskKeyBytes + payload.size());
}

std::string_view MaskedFrame::mask(std::uint32_t key) {
  const std::array<std::uint8_t, kMaskKeyBytes> key_bytes{
      static_cast<std::uint8_t>(key >> 24), static_cast<std::uint8_t>(key >> 16), static_cast<std::uint8_t>(key >> 8),
      static_cast<std::uint8_t>(key)};
  char* out = frame_.data() + key_offset_;
  std::memcpy(out, key_bytes.data(), kMaskKeyBytes);
  out += kMaskKeyBytes;
  // Eight bytes at a time with the key repeated twice (payload byte i uses key byte i % 4).
  std::array<std::uint8_t, 2 * kMaskKeyBytes> key_twice{};
  for (std::size_t i = 0; i < key_twice.size(); ++i) key_twice[i] = key_bytes[i % kMaskKeyBytes];
  std::uint64_t wide_key = 0;
  std::memcpy(&wide_key, key_twice.data(), sizeof wide_key);
  const char* in = payload_.data();
  std::size_t i = 0;
  for (; i + sizeof wide_key <= payload_.size(); i += sizeof wide_key) {
    std::uint64_t word = 0;
    std::memcpy(&word, in + i, sizeof word);
    word ^= wide_key;
    std::memcpy(out + i, &word, sizeof word);
  }
  for (; i < payload_.size(); ++i) {
    out[i] = static_cast<char>(static_cast<std::uint8_t>(in[i]) ^ key_bytes[i % kMaskKeyBytes]);
  }
  return frame_;
}

}  // namespace zedge::wsload
