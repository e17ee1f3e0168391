// UTF-8 validation, one implementation for ZHTTP text fields and
// WebSocket text messages and close reasons. Incremental UTF-8 validator (RFC 3629 §3/§4, as RFC 6455 §8.1 requires for
// text messages and close reasons). Fed piece by piece, so a character may be split across reads or across fragments of
// one message.
#pragma once

#include <cstdint>
#include <string_view>

namespace zedge::utf8 {

class Utf8Validator {
 public:
  // Checks the next bytes. Returns false on the first invalid byte (overlong form,
  // surrogate, above U+10FFFF, stray continuation, bad lead byte); stays failed until
  // reset(). A sequence left incomplete at the end of `bytes` is fine here.
  bool feed(std::string_view bytes);

  // End of message: true if nothing failed and no sequence is left incomplete.
  bool finish() const { return !failed_ && remaining_ == 0; }

  // True while no invalid byte has been seen (an incomplete tail is not a failure yet).
  bool ok() const { return !failed_; }

  void reset();

 private:
  bool failed_ = false;
  std::uint8_t remaining_ = 0;  // continuation bytes still expected
  // Allowed range of the next continuation byte. Narrower than 0x80–0xBF only right after
  // E0/ED/F0/F4, which is where overlongs, surrogates and > U+10FFFF are excluded.
  std::uint8_t next_low_ = 0x80;
  std::uint8_t next_high_ = 0xBF;
};

// True if `s` is well-formed UTF-8 as a whole.
bool is_valid(std::string_view s);

}  // namespace zedge::utf8
