// A client's text frame (RFC 6455 §5.2) of a fixed payload, masked as a client must
// (RFC 6455 §5.3). pkg/websocket writes server frames only, which are never masked. The
// header is built once; mask() writes a new masking key and re-masks the payload for each send.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace zedge::wsload {

class MaskedFrame {
 public:
  explicit MaskedFrame(std::string_view payload);

  // Masks the payload with `key` (the 4 key bytes in wire order are key's bytes from the
  // most significant) and returns the whole frame, valid until the next call.
  std::string_view mask(std::uint32_t key);

 private:
  std::string_view payload_;  // the caller's, outlives this frame
  std::string frame_;         // header, key, masked payload
  std::size_t key_offset_ = 0;
};

}  // namespace zedge::wsload
