// Decompression of incoming permessage-deflate messages (RFC 7692 §7.2.2), fed the payloads
// of a compressed message's frames one by one. Whether a message is compressed (RSV1 on its
// first frame, RFC 7692 §6.2) is the caller's decision; uncompressed messages bypass this
// class.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "websocket/deflate_negotiation.hpp"

struct z_stream_s;

namespace zedge::websocket {

// Output is produced in steps of at most this many bytes, so a message that inflates past its
// limit is caught having produced at most the limit + 1 byte (a decompression bomb of a few
// KB cannot make us allocate its gigabytes).
inline constexpr std::size_t kInflateStepBytes = 16 * 1024;

class MessageInflater {
 public:
  // `max_message_bytes` bounds the inflated size of one message.
  MessageInflater(const DeflateParams& params, std::uint64_t max_message_bytes);

  // Inflates the next frame payload of the current message, appending the bytes to `out`.
  // Returns 0, or the close code to fail the connection with (after which every call returns
  // it again): 1009 when the message inflates past max_message_bytes, 1007 when the data is
  // not valid DEFLATE or the message does not end on a block boundary, 1011 when zlib cannot
  // allocate. The zlib stream (~7 KB, plus its 32 KB window once data flows) is created on
  // first use, and freed after each message when client_no_context_takeover was agreed;
  // otherwise later messages may refer to this one and the window must be kept.
  [[nodiscard]] std::uint16_t inflate(std::string_view piece, bool final_piece, std::string& out);

  // True while the zlib stream is allocated.
  bool holds_stream() const { return stream_ != nullptr; }

 private:
  struct StreamDeleter {
    void operator()(z_stream_s* stream) const;
  };

  bool ensure_stream();
  std::uint16_t feed(std::string_view data, std::string& out);
  std::uint16_t end_message();
  std::uint16_t fail(std::uint16_t code);

  std::unique_ptr<z_stream_s, StreamDeleter> stream_;
  std::uint64_t max_message_bytes_;
  std::uint64_t message_bytes_ = 0;  // inflated so far in the current message
  std::uint16_t failed_code_ = 0;
  bool stream_ended_ = false;  // a block had BFINAL (RFC 7692 §7.2.3.4)
  bool no_context_takeover_;
  std::uint8_t window_bits_;
};

}  // namespace zedge::websocket
