// Compression of outgoing messages for permessage-deflate (RFC 7692 §7.2.1). A message may
// arrive in pieces (a handler streams it as several packets); each piece becomes the payload
// of one frame. Setting RSV1 on the message's first frame is the caller's job (RFC 7692 §6).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "websocket/deflate_negotiation.hpp"

struct z_stream_s;

namespace zedge::websocket {

// zlib settings of our deflater, chosen for memory, not ratio. A sender may always use a
// smaller window than the agreed maximum (RFC 7692 §7.1.2.1 only bounds it). Measured with
// zlib 1.2.13, level 6, on 300 JSON events (~134 B each) and on GPL-3 cut in 256 B messages,
// both with context takeover (compressed size in % of the input; memory per stream):
//   windowBits 15, memLevel 8 (zlib's default)  262 KB   JSON 18.9 %   GPL 41.2 %
//   windowBits 12, memLevel 3                    26 KB   JSON 19.7 %   GPL 46.7 %
//   windowBits 11, memLevel 3                    18 KB   JSON 20.3 %   GPL 50.4 %
//   windowBits 10, memLevel 3                    14 KB   JSON 21.9 %   GPL 53.8 %
// A 4 KB window keeps most of the gain on small, similar messages for a tenth of the memory;
// memLevel above 3 bought under 1 % here. The inflater needs 40 KB anyway (32 KB window).
inline constexpr int kDeflaterWindowBits = 12;
inline constexpr int kDeflaterMemLevel = 3;

class MessageDeflater {
 public:
  explicit MessageDeflater(const DeflateParams& params);

  // Compresses the next piece of the current message and appends the payload of its frame
  // to `out`. The zlib stream is created on first use. Each piece ends with a sync flush,
  // so a frame never waits for later pieces; the 4-byte 00 00 ff ff each flush ends with is
  // held back and dropped after the final piece (RFC 7692 §7.2.1). An empty message is the
  // single byte 00 (RFC 7692 §7.2.3.6). A non-final frame's payload may be empty. Returns
  // false only if zlib fails (out of memory): the connection must then be closed (1011).
  [[nodiscard]] bool compress(std::string_view piece, bool final_piece, std::string& out);

  // Frees the zlib stream (~26 KB). Only between messages; always allowed, as the receiver
  // cannot tell (the next message just cannot refer to earlier ones). With
  // server_no_context_takeover it happens after every message anyway.
  void release();

  // True while the zlib stream is allocated.
  bool holds_stream() const { return stream_ != nullptr; }

 private:
  struct StreamDeleter {
    void operator()(z_stream_s* stream) const;
  };

  bool ensure_stream();

  std::unique_ptr<z_stream_s, StreamDeleter> stream_;
  std::array<char, 4> held_{};  // the tail of the last flush, not sent yet
  std::uint8_t held_size_ = 0;
  bool message_has_output_ = false;  // some byte of the current message went out
  bool no_context_takeover_;
  std::uint8_t window_bits_;
};

}  // namespace zedge::websocket
