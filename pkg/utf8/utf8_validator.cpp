#include "utf8/utf8_validator.hpp"

#include <cstring>

namespace zedge::utf8 {

namespace {
constexpr std::uint8_t kContinuationLow = 0x80;
constexpr std::uint8_t kContinuationHigh = 0xBF;
constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;

// Length of the leading run of ASCII in `bytes`, 8 bytes at a time: most text messages
// are mostly ASCII, and the byte loop below was a tenth of zedge's CPU on 4 KB messages.
std::size_t ascii_prefix(std::string_view bytes) {
  std::size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, bytes.data() + i, sizeof word);
    if ((word & kHighBits) != 0) break;
  }
  return i;
}
}  // namespace

void Utf8Validator::reset() {
  failed_ = false;
  remaining_ = 0;
  next_low_ = kContinuationLow;
  next_high_ = kContinuationHigh;
}

bool Utf8Validator::feed(std::string_view bytes) {
  if (failed_) return false;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (remaining_ == 0) {
      i += ascii_prefix(bytes.substr(i));
      if (i == bytes.size()) break;
    }
    const auto b = static_cast<std::uint8_t>(bytes[i]);
    if (remaining_ > 0) {
      if (b < next_low_ || b > next_high_) {
        failed_ = true;
        return false;
      }
      --remaining_;
      next_low_ = kContinuationLow;
      next_high_ = kContinuationHigh;
      continue;
    }
    // Lead byte (RFC 3629 §4 table of well-formed sequences).
    if (b < 0x80) continue;
    if (b >= 0xC2 && b <= 0xDF) {
      remaining_ = 1;
    } else if (b == 0xE0) {
      remaining_ = 2;
      next_low_ = 0xA0;  // below is an overlong 3-byte form
    } else if (b == 0xED) {
      remaining_ = 2;
      next_high_ = 0x9F;  // above is U+D800–U+DFFF (surrogates)
    } else if (b >= 0xE1 && b <= 0xEF) {
      remaining_ = 2;
    } else if (b == 0xF0) {
      remaining_ = 3;
      next_low_ = 0x90;  // below is an overlong 4-byte form
    } else if (b >= 0xF1 && b <= 0xF3) {
      remaining_ = 3;
    } else if (b == 0xF4) {
      remaining_ = 3;
      next_high_ = 0x8F;  // above is beyond U+10FFFF
    } else {
      // 0x80–0xC1 (stray continuation, overlong 2-byte lead) or 0xF5–0xFF.
      failed_ = true;
      return false;
    }
  }
  return true;
}

bool is_valid(std::string_view s) {
  Utf8Validator validator;
  return validator.feed(s) && validator.finish();
}

}  // namespace zedge::utf8
