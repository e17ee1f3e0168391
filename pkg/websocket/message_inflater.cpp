#include "websocket/message_inflater.hpp"

// next_in becomes a pointer to const, so input views need no const_cast.
#define ZLIB_CONST
#include <zlib.h>

#include <algorithm>
#include <limits>

#include "websocket/close_code.hpp"

namespace zedge::websocket {

namespace {

// The receiver appends the empty stored block's LEN/NLEN the sender removed (RFC 7692 §7.2.2).
constexpr std::string_view kMessageTrailer{"\x00\x00\xff\xff", 4};

// inflate() sets data_type bit 7 when it stopped between blocks, waiting for a block header.
constexpr int kZlibBetweenBlocks = 128;

}  // namespace

void MessageInflater::StreamDeleter::operator()(z_stream_s* stream) const {
  inflateEnd(stream);
  delete stream;
}

MessageInflater::MessageInflater(const DeflateParams& params, std::uint64_t max_message_bytes)
    : max_message_bytes_(max_message_bytes),
      no_context_takeover_(params.client_no_context_takeover),
      window_bits_(static_cast<std::uint8_t>(params.client_max_window_bits)) {}

bool MessageInflater::ensure_stream() {
  if (stream_) return true;
  auto stream = std::unique_ptr<z_stream_s, StreamDeleter>(new z_stream_s{});
  // Negative windowBits: raw deflate. zlib allocates the window itself only once output flows.
  if (inflateInit2(stream.get(), -static_cast<int>(window_bits_)) != Z_OK) return false;
  stream_ = std::move(stream);
  return true;
}

std::uint16_t MessageInflater::fail(std::uint16_t code) {
  failed_code_ = code;
  stream_.reset();
  return code;
}

std::uint16_t MessageInflater::inflate(std::string_view piece, bool final_piece, std::string& out) {
  if (failed_code_ != 0) return failed_code_;
  if (!ensure_stream()) return fail(kCloseInternalError);
  if (const std::uint16_t code = feed(piece, out); code != 0) return code;
  if (!final_piece) return 0;
  if (const std::uint16_t code = feed(kMessageTrailer, out); code != 0) return code;
  return end_message();
}

std::uint16_t MessageInflater::feed(std::string_view data, std::string& out) {
  // After a block with BFINAL set the deflate stream is over; what follows in the message is
  // the empty stored block RFC 7692 §7.2.1 makes the sender append, and is ignored.
  if (stream_ended_) return 0;
  // zlib counts in uInt; a 4 GB compressed frame is past any sane message limit anyway.
  if (data.size() > std::numeric_limits<uInt>::max()) return fail(kCloseMessageTooBig);
  z_stream_s& z = *stream_;
  z.next_in = reinterpret_cast<const Bytef*>(data.data());
  z.avail_in = static_cast<uInt>(data.size());
  while (true) {
    // One byte beyond the limit is asked for, so that going past it shows.
    const std::uint64_t room = max_message_bytes_ - message_bytes_;
    const std::size_t step = static_cast<std::size_t>(std::min<std::uint64_t>(kInflateStepBytes - 1, room)) + 1;
    const std::size_t base = out.size();
    out.resize(base + step);
    z.next_out = reinterpret_cast<Bytef*>(out.data() + base);
    z.avail_out = static_cast<uInt>(step);
    const int rc = ::inflate(&z, Z_NO_FLUSH);
    const std::size_t produced = step - z.avail_out;
    out.resize(base + produced);
    message_bytes_ += produced;
    if (message_bytes_ > max_message_bytes_) return fail(kCloseMessageTooBig);
    switch (rc) {
      case Z_OK: break;
      case Z_BUF_ERROR:  // no progress possible: the input is used up (output room was given)
        return 0;
      case Z_STREAM_END: stream_ended_ = true; return 0;
      case Z_MEM_ERROR: return fail(kCloseInternalError);
      default:
        // Z_DATA_ERROR (Z_NEED_DICT cannot occur in raw mode). RFC 7692 says to _Fail the
        // WebSocket Connection_ and leaves the code open. 1007 rather than 1002: the frames
        // were well-formed and RSV1 was agreed; it is the payload that is inconsistent with
        // the message's declared encoding, as invalid UTF-8 is for a text message (RFC 6455
        // §7.4.1). Condure 1.9.1 just closes the TCP connection [observed].
        return fail(kCloseInvalidPayload);
    }
    if (z.avail_in == 0 && z.avail_out != 0) return 0;
  }
}

std::uint16_t MessageInflater::end_message() {
  message_bytes_ = 0;
  if (stream_ended_) {
    stream_ended_ = false;
    if (!no_context_takeover_) {
      // The next message may still refer to this one's data (context takeover), but zlib
      // expects a new stream header now: restart the stream with the window kept.
      std::string window(std::size_t{1} << window_bits_, '\0');
      uInt window_size = 0;
      if (inflateGetDictionary(stream_.get(), reinterpret_cast<Bytef*>(window.data()), &window_size) != Z_OK ||
          inflateReset(stream_.get()) != Z_OK ||
          inflateSetDictionary(stream_.get(), reinterpret_cast<const Bytef*>(window.data()), window_size) != Z_OK) {
        return fail(kCloseInternalError);
      }
    }
  } else if ((stream_->data_type & kZlibBetweenBlocks) == 0) {
    // The trailer did not complete an empty stored block: the message was cut mid-block and
    // the next one would be read as its continuation (RFC 7692 §7.2.1 makes senders end on
    // a block).
    return fail(kCloseInvalidPayload);
  }
  if (no_context_takeover_) stream_.reset();  // nothing kept (RFC 7692 §7.1.1.2)
  return 0;
}

}  // namespace zedge::websocket
