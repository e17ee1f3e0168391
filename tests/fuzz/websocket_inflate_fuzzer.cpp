// permessage-deflate (pkg/websocket, RFC 7692 §7.2): MessageInflater fed any payloads under a
// small message limit, and MessageDeflater -> MessageInflater round trips.
// Input: a flags byte, then messages as pieces; each piece is a length byte (bit 7: the
// message's final piece, bits 0-6: length) followed by that many bytes.
// Checks: a message never inflates past its limit + 1 byte; after a failure every call
// returns the same close code; whatever the deflater writes the inflater reads back exactly.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_input.hpp"
#include "websocket/message_deflater.hpp"
#include "websocket/message_inflater.hpp"

namespace {

using zedge::websocket::DeflateParams;
using zedge::websocket::MessageDeflater;
using zedge::websocket::MessageInflater;

struct Piece {
  std::string_view bytes;
  bool final_piece = false;
};

std::vector<Piece> pieces_of(zedge::fuzz::FuzzInput& in) {
  std::vector<Piece> pieces;
  while (!in.empty()) {
    const std::uint8_t head = in.byte();
    pieces.push_back(Piece{in.take(head & 0x7FU), (head & 0x80U) != 0});
  }
  return pieces;
}

void inflate_any(const DeflateParams& params, std::uint64_t limit, const std::vector<Piece>& pieces) {
  MessageInflater inflater(params, limit);
  std::string message;
  std::uint16_t failed = 0;
  for (const Piece& p : pieces) {
    const std::uint16_t code = inflater.inflate(p.bytes, p.final_piece, message);
    if (failed != 0) {
      FUZZ_CHECK(code == failed);
      continue;
    }
    FUZZ_CHECK(message.size() <= limit + 1);
    if (code != 0) {
      FUZZ_CHECK(code == 1007 || code == 1009 || code == 1011);
      FUZZ_CHECK(!inflater.holds_stream());
      failed = code;
      continue;
    }
    if (p.final_piece) {
      message.clear();
      if (params.client_no_context_takeover) FUZZ_CHECK(!inflater.holds_stream());
    }
  }
}

void round_trip(const DeflateParams& params, const std::vector<Piece>& pieces) {
  // The deflater writes what the server sends; read it back as a client's inflater would
  // (the roles' parameters swapped).
  DeflateParams reader = params;
  reader.client_no_context_takeover = params.server_no_context_takeover;
  reader.client_max_window_bits = params.server_max_window_bits;
  MessageDeflater deflater(params);
  MessageInflater inflater(reader, 1U << 20);
  std::string sent;
  std::string received;
  for (const Piece& p : pieces) {
    std::string payload;
    FUZZ_CHECK(deflater.compress(p.bytes, p.final_piece, payload));
    sent += p.bytes;
    FUZZ_CHECK(inflater.inflate(payload, p.final_piece, received) == 0);
    if (p.final_piece) {
      FUZZ_CHECK(received == sent);
      sent.clear();
      received.clear();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  zedge::fuzz::FuzzInput in(data, size);
  const std::uint8_t flags = in.byte();
  DeflateParams params;
  params.client_no_context_takeover = (flags & 1) != 0;
  params.server_no_context_takeover = (flags & 2) != 0;
  params.client_max_window_bits = 8 + ((flags >> 2) & 7);  // 8..15 (RFC 7692 §7.1.2)
  const std::vector<Piece> pieces = pieces_of(in);
  if ((flags & 0x80) != 0) {
    round_trip(params, pieces);
  } else {
    // Small, so that a few hundred fuzzer bytes can inflate past it.
    inflate_any(params, 4096, pieces);
  }
  return 0;
}
