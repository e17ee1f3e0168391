#include "websocket/message_deflater.hpp"

// next_in becomes a pointer to const, so input views need no const_cast.
#define ZLIB_CONST
#include <zlib.h>

#include <algorithm>
#include <cassert>
#include <limits>

namespace zedge::websocket {

namespace {

// Every sync flush ends with an empty stored block: its header bits, then LEN 0000 and NLEN
// ffff. The final frame drops these 4 bytes and the receiver puts them back (RFC 7692 §7.2.1).
constexpr std::string_view kFlushTail{"\x00\x00\xff\xff", 4};

// zlib cannot make a raw deflate stream with an 8-bit window, so the smallest we use is 9.
constexpr int kMinZlibDeflateWindowBits = 9;

// Room added to `out` per deflate call beyond the input size; the loop grows it as needed.
constexpr std::size_t kOutputSlackBytes = 64;

}  // namespace

void MessageDeflater::StreamDeleter::operator()(z_stream_s* stream) const {
  deflateEnd(stream);
  delete stream;
}

MessageDeflater::MessageDeflater(const DeflateParams& params)
    : no_context_takeover_(params.server_no_context_takeover),
      window_bits_(static_cast<std::uint8_t>(std::min(kDeflaterWindowBits, params.server_max_window_bits))) {
  // Negotiation only agrees to 15 (deflate_negotiation.hpp); an 8-bit window could not be met.
  assert(window_bits_ >= kMinZlibDeflateWindowBits);
}

bool MessageDeflater::ensure_stream() {
  if (stream_) return true;
  auto stream = std::unique_ptr<z_stream_s, StreamDeleter>(new z_stream_s{});
  // Negative windowBits: raw deflate, no zlib header or checksum (RFC 7692 §7.2.1).
  if (deflateInit2(stream.get(), Z_DEFAULT_COMPRESSION, Z_DEFLATED, -static_cast<int>(window_bits_), kDeflaterMemLevel,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    return false;  // the deleter's deflateEnd is a no-op on a stream that failed to init
  }
  stream_ = std::move(stream);
  return true;
}

bool MessageDeflater::compress(std::string_view piece, bool final_piece, std::string& out) {
  if (piece.size() > std::numeric_limits<uInt>::max()) return false;  // zlib counts in uInt
  if (!ensure_stream()) return false;
  const std::size_t start = out.size();
  out.append(held_.data(), held_size_);
  held_size_ = 0;

  z_stream_s& z = *stream_;
  z.next_in = reinterpret_cast<const Bytef*>(piece.data());
  z.avail_in = static_cast<uInt>(piece.size());
  std::size_t written = out.size();
  do {
    out.resize(written + deflateBound(&z, z.avail_in) + kOutputSlackBytes);
    z.next_out = reinterpret_cast<Bytef*>(out.data() + written);
    z.avail_out = static_cast<uInt>(out.size() - written);
    // Z_BUF_ERROR only says no progress was possible: a second flush in a row with no input
    // writes nothing (the stream is already flushed).
    const int rc = deflate(&z, Z_SYNC_FLUSH);
    written = out.size() - z.avail_out;
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      out.resize(start);
      return false;
    }
  } while (z.avail_out == 0);  // zlib's rule: a flush is complete once output room is left
  out.resize(written);

  // Whatever was written ends with a flush, so its last 4 bytes are the flush tail.
  std::string_view produced(out.data() + start, out.size() - start);
  if (!produced.empty()) {
    if (!produced.ends_with(kFlushTail)) {  // cannot happen with a working zlib
      out.resize(start);
      return false;
    }
    out.resize(out.size() - kFlushTail.size());
    if (!final_piece) {
      std::copy(kFlushTail.begin(), kFlushTail.end(), held_.begin());
      held_size_ = static_cast<std::uint8_t>(kFlushTail.size());
    }
  }
  if (out.size() > start) message_has_output_ = true;
  if (!final_piece) return true;

  // A message whose data all fit before an earlier flush (an empty message, or one whose
  // last pieces were empty) still needs a block the receiver's trailer completes: the lone
  // 00 is an empty stored block's header (RFC 7692 §7.2.3.6). The stream stays byte-aligned
  // after a flush, so this block changes nothing for the compressor.
  if (!message_has_output_) out.push_back('\0');
  message_has_output_ = false;
  if (no_context_takeover_) release();  // RFC 7692 §7.1.1.1: the next message starts afresh
  return true;
}

void MessageDeflater::release() { stream_.reset(); }

}  // namespace zedge::websocket
