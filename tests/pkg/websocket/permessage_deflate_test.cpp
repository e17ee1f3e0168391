#include "websocket/permessage_deflate.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "websocket/close_code.hpp"

namespace zedge::websocket {
namespace {

constexpr std::uint64_t kNoLimit = UINT64_MAX;

// "f2 48 cd" -> the three bytes.
std::string from_hex(std::string_view hex) {
  std::string out;
  int high = -1;
  for (const char c : hex) {
    if (c == ' ') continue;
    const int nibble = c <= '9' ? c - '0' : c - 'a' + 10;
    if (high < 0) {
      high = nibble;
    } else {
      out.push_back(static_cast<char>(high * 16 + nibble));
      high = -1;
    }
  }
  return out;
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    if (!out.empty()) out.push_back(' ');
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
  return out;
}

std::optional<std::string> negotiate(std::vector<std::string_view> fields) {
  const std::optional<DeflateParams> params = negotiate_permessage_deflate(fields);
  if (!params) return std::nullopt;
  return deflate_response_value(*params);
}

// ---------------------------------------------------------------------------------------------
// Negotiation

struct Observed {
  std::vector<std::string_view> fields;    // Sec-WebSocket-Extensions fields of the request
  std::optional<std::string_view> answer;  // Sec-WebSocket-Extensions of the 101, if any
};

// Observed on condure 1.9.1 (Debian, --compression): the upgrade sent with these fields,
// accepted by a handler with {code: 101, credits: 8192}, and the extension field of the 101.
TEST(DeflateNegotiation, MatchesCondure191) {
  const std::vector<Observed> cases = {
      {{"permessage-deflate"}, "permessage-deflate"},
      {{"permessage-deflate; client_max_window_bits"}, "permessage-deflate"},
      {{"permessage-deflate; server_no_context_takeover"}, "permessage-deflate; server_no_context_takeover"},
      {{"permessage-deflate; client_no_context_takeover"}, "permessage-deflate; client_no_context_takeover"},
      {{"permessage-deflate; client_no_context_takeover; server_no_context_takeover"},
       "permessage-deflate; client_no_context_takeover; server_no_context_takeover"},
      {{"permessage-deflate; server_no_context_takeover; client_no_context_takeover"},
       "permessage-deflate; client_no_context_takeover; server_no_context_takeover"},
      {{"permessage-deflate; server_max_window_bits=10, permessage-deflate"}, "permessage-deflate"},
      {{"permessage-deflate; server_max_window_bits=10"}, std::nullopt},
      {{"permessage-deflate; server_max_window_bits=15"}, "permessage-deflate"},
      {{"permessage-deflate; server_max_window_bits=\"15\""}, "permessage-deflate"},
      {{"permessage-deflate; server_max_window_bits"}, std::nullopt},
      {{"permessage-deflate; server_max_window_bits=015"}, "permessage-deflate"},
      {{"permessage-deflate; server_max_window_bits=+15"}, "permessage-deflate"},
      {{"permessage-deflate; client_max_window_bits=10"}, "permessage-deflate"},
      {{"permessage-deflate; client_max_window_bits=\"10\""}, "permessage-deflate"},
      {{"permessage-deflate; client_max_window_bits=7"}, std::nullopt},
      {{"permessage-deflate; client_max_window_bits=16"}, std::nullopt},
      {{"permessage-deflate; client_max_window_bits="}, "permessage-deflate"},
      {{"permessage-deflate; client_max_window_bits=abc"}, std::nullopt},
      {{"permessage-deflate; client_max_window_bits; client_max_window_bits"}, std::nullopt},
      {{"permessage-deflate; server_no_context_takeover; server_no_context_takeover"}, std::nullopt},
      {{"permessage-deflate; server_no_context_takeover=1"}, std::nullopt},
      {{"permessage-deflate; server_no_context_takeover="}, "permessage-deflate; server_no_context_takeover"},
      {{"permessage-deflate; foo"}, std::nullopt},
      {{"permessage-deflate; foo, permessage-deflate; client_no_context_takeover"},
       "permessage-deflate; client_no_context_takeover"},
      {{"x-webkit-deflate-frame"}, std::nullopt},
      {{"x-webkit-deflate-frame, permessage-deflate; server_no_context_takeover"},
       "permessage-deflate; server_no_context_takeover"},
      {{"foo", "permessage-deflate; client_no_context_takeover"}, "permessage-deflate; client_no_context_takeover"},
      {{"permessage-deflate; server_max_window_bits=9", "permessage-deflate; server_no_context_takeover"},
       "permessage-deflate; server_no_context_takeover"},
      {{"Permessage-Deflate"}, std::nullopt},
      {{"permessage-deflate; Server_No_Context_Takeover"}, std::nullopt},
      {{"  permessage-deflate ;  server_no_context_takeover  ;client_no_context_takeover "},
       "permessage-deflate; client_no_context_takeover; server_no_context_takeover"},
      {{"permessage-deflate;server_no_context_takeover"}, "permessage-deflate; server_no_context_takeover"},
      {{"permessage-deflate; client_max_window_bits=10 x"}, std::nullopt},
      {{"permessage-deflate; client_max_window_bits = 10"}, "permessage-deflate"},
      {{"permessage-deflate; client_max_window_bits=\"10\" ; server_no_context_takeover"},
       "permessage-deflate; server_no_context_takeover"},
      {{"x; y=\"a,b\", permessage-deflate; server_no_context_takeover"},
       "permessage-deflate; server_no_context_takeover"},
      {{"permessage-deflate\t;\tserver_no_context_takeover"}, "permessage-deflate; server_no_context_takeover"},
  };
  for (const Observed& c : cases) {
    SCOPED_TRACE(std::string(c.fields.front()));
    EXPECT_TRUE(extension_fields_well_formed(c.fields));
    const std::optional<std::string> answer = negotiate(c.fields);
    if (c.answer) {
      ASSERT_TRUE(answer.has_value());
      EXPECT_EQ(*answer, *c.answer);
    } else {
      EXPECT_FALSE(answer.has_value()) << *answer;
    }
  }
}

// Observed on condure 1.9.1: these fields make it close the connection without a response and
// without telling the handler, with or without --compression, even for a plain GET.
TEST(DeflateNegotiation, MalformedFieldsAsCondure191) {
  const std::vector<std::vector<std::string_view>> cases = {
      {"permessage-deflate,"},
      {"permessage-deflate,,x"},
      {",permessage-deflate"},
      {""},
      {"permessage-deflate; ;"},
      {"permessage-deflate; client_max_window_bits=\"10"},
      {"permessage-deflate; server_no_context_takeover\xff"},
  };
  for (const auto& fields : cases) {
    SCOPED_TRACE(std::string(fields.front()));
    EXPECT_FALSE(extension_fields_well_formed(fields));
    EXPECT_FALSE(negotiate_permessage_deflate(fields).has_value());
  }
  // A malformed field anywhere spoils the whole request, even after a usable offer.
  const std::vector<std::string_view> late = {"permessage-deflate", "a,"};
  EXPECT_FALSE(extension_fields_well_formed(late));
  EXPECT_FALSE(negotiate_permessage_deflate(late).has_value());
  // Trailing `;` leaves an empty parameter name.
  const std::vector<std::string_view> trailing = {"permessage-deflate;"};
  EXPECT_FALSE(extension_fields_well_formed(trailing));
}

TEST(DeflateNegotiation, NoFieldMeansNoCompression) {
  EXPECT_TRUE(extension_fields_well_formed({}));
  EXPECT_FALSE(negotiate_permessage_deflate({}).has_value());
}

TEST(DeflateNegotiation, AgreedParams) {
  const std::vector<std::string_view> fields = {
      "permessage-deflate; client_max_window_bits=9; server_no_context_takeover"};
  const std::optional<DeflateParams> params = negotiate_permessage_deflate(fields);
  ASSERT_TRUE(params.has_value());
  // Condure answers without client_max_window_bits, so the client keeps its 15-bit window.
  EXPECT_EQ(*params, (DeflateParams{.server_no_context_takeover = true,
                                    .client_no_context_takeover = false,
                                    .client_max_window_bits = 15,
                                    .server_max_window_bits = 15}));
}

TEST(DeflateNegotiation, ResponseValueWritesWindowsOnlyWhenNotDefault) {
  EXPECT_EQ(deflate_response_value(DeflateParams{}), "permessage-deflate");
  EXPECT_EQ(deflate_response_value(DeflateParams{.client_max_window_bits = 10, .server_max_window_bits = 12}),
            "permessage-deflate; client_max_window_bits=10; server_max_window_bits=12");
}

// ---------------------------------------------------------------------------------------------
// Compression

const DeflateParams kTakeover{};
const DeflateParams kNoTakeover{.server_no_context_takeover = true, .client_no_context_takeover = true};

std::string compress_message(MessageDeflater& deflater, std::string_view message) {
  std::string out;
  EXPECT_TRUE(deflater.compress(message, true, out));
  return out;
}

// RFC 7692 §7.2.3.1 and §7.2.3.2; condure 1.9.1 sent these same bytes [observed].
TEST(MessageDeflater, HelloTwiceWithContextTakeover) {
  MessageDeflater deflater(kTakeover);
  EXPECT_EQ(to_hex(compress_message(deflater, "Hello")), "f2 48 cd c9 c9 07 00");
  EXPECT_EQ(to_hex(compress_message(deflater, "Hello")), "f2 00 11 00 00");
}

// With server_no_context_takeover every message starts afresh; condure 1.9.1 does reset its
// compressor per message and sent these bytes [observed].
TEST(MessageDeflater, HelloTwiceWithoutContextTakeover) {
  MessageDeflater deflater(DeflateParams{.server_no_context_takeover = true});
  EXPECT_EQ(to_hex(compress_message(deflater, "Hello")), "f2 48 cd c9 c9 07 00");
  EXPECT_FALSE(deflater.holds_stream());
  EXPECT_EQ(to_hex(compress_message(deflater, "Hello")), "f2 48 cd c9 c9 07 00");
}

// RFC 7692 §7.2.3.6: an empty message is the single byte 00, first or after others.
// (condure 1.9.1 sends 02 00 instead, an empty fixed-Huffman block [observed].)
TEST(MessageDeflater, EmptyMessage) {
  MessageDeflater deflater(kTakeover);
  EXPECT_EQ(to_hex(compress_message(deflater, "")), "00");
  EXPECT_EQ(to_hex(compress_message(deflater, "Hello")), "f2 48 cd c9 c9 07 00");
  EXPECT_EQ(to_hex(compress_message(deflater, "")), "00");
  std::string out;
  ASSERT_TRUE(deflater.compress("", false, out));
  ASSERT_TRUE(deflater.compress("", false, out));
  ASSERT_TRUE(deflater.compress("", true, out));
  EXPECT_EQ(to_hex(out), "00");
}

// Each piece is flushed into its own frame; the flush tail 00 00 ff ff is held back, so the
// last frame may be empty, and the frames together are the message's compressed data.
TEST(MessageDeflater, PiecesBecomeFrames) {
  MessageDeflater deflater(kTakeover);
  std::string first;
  std::string second;
  ASSERT_TRUE(deflater.compress("Hel", false, first));
  ASSERT_TRUE(deflater.compress("lo", true, second));
  EXPECT_EQ(to_hex(first), "f2 48 cd 01 00");
  EXPECT_EQ(to_hex(second), "00 00 ff ff ca c9 07 00");
  std::string third;
  std::string fourth;
  ASSERT_TRUE(deflater.compress("Hello", false, third));
  ASSERT_TRUE(deflater.compress("", true, fourth));
  EXPECT_EQ(to_hex(third), "f2 00 11 00 00");
  EXPECT_EQ(fourth, "");
}

TEST(MessageDeflater, StreamIsLazyAndReleasable) {
  MessageDeflater deflater(kTakeover);
  EXPECT_FALSE(deflater.holds_stream());
  compress_message(deflater, "Hello");
  EXPECT_TRUE(deflater.holds_stream());
  deflater.release();
  EXPECT_FALSE(deflater.holds_stream());
  // After a release the next message cannot refer back: full "Hello" again.
  EXPECT_EQ(to_hex(compress_message(deflater, "Hello")), "f2 48 cd c9 c9 07 00");
}

TEST(MessageDeflater, ObjectsStaySmall) {
  // Idle connections hold these; the zlib streams live on the heap only while in use.
  EXPECT_LE(sizeof(MessageDeflater), 16u);
  EXPECT_LE(sizeof(MessageInflater), 32u);
}

// ---------------------------------------------------------------------------------------------
// Decompression

std::uint16_t inflate_message(MessageInflater& inflater, std::string_view payload, std::string& out) {
  return inflater.inflate(payload, true, out);
}

std::string inflate_ok(MessageInflater& inflater, std::string_view payload) {
  std::string out;
  EXPECT_EQ(inflate_message(inflater, payload, out), 0);
  return out;
}

TEST(MessageInflater, Rfc7692Examples) {
  {  // RFC 7692 §7.2.3.1 and §7.2.3.2: the second "Hello" refers to the first.
    MessageInflater inflater(kTakeover, kNoLimit);
    EXPECT_EQ(inflate_ok(inflater, from_hex("f2 48 cd c9 c9 07 00")), "Hello");
    EXPECT_EQ(inflate_ok(inflater, from_hex("f2 00 11 00 00")), "Hello");
  }
  {  // RFC 7692 §7.2.3.3: a stored (uncompressed) block, then the empty stored block's header.
    MessageInflater inflater(kTakeover, kNoLimit);
    EXPECT_EQ(inflate_ok(inflater, from_hex("00 05 00 fa ff 48 65 6c 6c 6f 00")), "Hello");
  }
  {  // RFC 7692 §7.2.3.4: BFINAL set; the next message still refers to the window.
    MessageInflater inflater(kTakeover, kNoLimit);
    EXPECT_EQ(inflate_ok(inflater, from_hex("f3 48 cd c9 c9 07 00 00")), "Hello");
    EXPECT_EQ(inflate_ok(inflater, from_hex("f2 00 11 00 00")), "Hello");
    EXPECT_EQ(inflate_ok(inflater, from_hex("f3 48 cd c9 c9 07 00 00")), "Hello");
  }
  {  // RFC 7692 §7.2.3.5: two DEFLATE blocks in one message.
    MessageInflater inflater(kTakeover, kNoLimit);
    EXPECT_EQ(inflate_ok(inflater, from_hex("f2 48 05 00 00 00 ff ff ca c9 c9 07 00")), "Hello");
  }
  {  // RFC 7692 §7.2.3.6: the empty message.
    MessageInflater inflater(kTakeover, kNoLimit);
    EXPECT_EQ(inflate_ok(inflater, from_hex("00")), "");
    EXPECT_EQ(inflate_ok(inflater, from_hex("f2 48 cd c9 c9 07 00")), "Hello");
  }
}

// Compressed by Python's zlib (level 9, wbits=-15, Z_SYNC_FLUSH, tail removed), two messages
// with context takeover: the second refers to the first.
TEST(MessageInflater, PythonZlibMessages) {
  const std::string first_payload(
      "\xaa\x56\x2a\xa9\x2c\x48\x55\xb2\x52\x2a\x2d\x48\x49\x2c\x49\x55\xd2\x51\x4a\xce\x48\xcc"
      "\xcb\x4b\xcd\x01\x0a\x15\x14\x65\x26\xa7\x16\x03\x85\x32\x4b\x52\x73\x95\xac\xaa\x95\x8a"
      "\x2b\x73\x93\xf2\x41\x32\x8e\x8e\x01\x3e\x40\x71\xb0\x02\x25\x2b\x43\x23\x63\x3d\x13\xd3"
      "\xda\x5a\x00\x00",
      70);
  const std::string second_payload("\xaa\x26\xcb\x2c\xdf\x60\xb7\x10\x84\x59\x26\x86\x46\x7a\x06\xe6\xb5\xb5\x00\x00",
                                   20);
  MessageInflater inflater(kTakeover, kNoLimit);
  EXPECT_EQ(inflate_ok(inflater, first_payload),
            R"({"type":"update","channel":"prices","item":{"symbol":"AAPL","price":123.45}})");
  EXPECT_EQ(inflate_ok(inflater, second_payload),
            R"({"type":"update","channel":"prices","item":{"symbol":"MSFT","price":412.07}})");
}

// Every split of a payload into two frames, and one byte per frame, inflates the same.
TEST(MessageInflater, SplitAtEveryByte) {
  const std::vector<std::string> payloads = {
      from_hex("f2 48 cd c9 c9 07 00"), from_hex("00 05 00 fa ff 48 65 6c 6c 6f 00"),
      from_hex("f3 48 cd c9 c9 07 00 00"), from_hex("f2 48 05 00 00 00 ff ff ca c9 c9 07 00")};
  for (const std::string& payload : payloads) {
    SCOPED_TRACE(to_hex(payload));
    for (std::size_t split = 0; split <= payload.size(); ++split) {
      MessageInflater inflater(kTakeover, kNoLimit);
      std::string out;
      ASSERT_EQ(inflater.inflate(std::string_view(payload).substr(0, split), false, out), 0);
      ASSERT_EQ(inflater.inflate(std::string_view(payload).substr(split), true, out), 0);
      EXPECT_EQ(out, "Hello") << "split at " << split;
    }
    MessageInflater inflater(kTakeover, kNoLimit);
    std::string out;
    for (const char c : payload) {
      ASSERT_EQ(inflater.inflate(std::string_view(&c, 1), false, out), 0);
    }
    ASSERT_EQ(inflater.inflate("", true, out), 0);
    EXPECT_EQ(out, "Hello");
  }
}

std::string zeros_compressed(std::size_t size) {
  MessageDeflater deflater(kTakeover);
  return compress_message(deflater, std::string(size, '\0'));
}

// A decompression bomb: 10 MB of zeros in ~10 KB. Stopped at the limit, having produced at
// most one byte more, and every later call fails the same way.
TEST(MessageInflater, MessageTooBig) {
  const std::string bomb = zeros_compressed(10 * 1024 * 1024);
  ASSERT_LT(bomb.size(), 64u * 1024);
  constexpr std::uint64_t kLimitBytes = 64 * 1024;
  MessageInflater inflater(kTakeover, kLimitBytes);
  std::string out;
  EXPECT_EQ(inflate_message(inflater, bomb, out), kCloseMessageTooBig);
  EXPECT_LE(out.size(), kLimitBytes + 1);
  EXPECT_LE(out.capacity(), 2 * (kLimitBytes + kInflateStepBytes));
  EXPECT_FALSE(inflater.holds_stream());
  EXPECT_EQ(inflate_message(inflater, from_hex("00"), out), kCloseMessageTooBig);
}

TEST(MessageInflater, LimitIsInclusivePerMessage) {
  const std::string exact = zeros_compressed(1000);
  MessageInflater inflater(kTakeover, 1000);
  std::string out;
  EXPECT_EQ(inflate_message(inflater, exact, out), 0);
  EXPECT_EQ(out.size(), 1000u);
  EXPECT_EQ(inflate_message(inflater, exact, out), 0);  // the count starts again per message
  EXPECT_EQ(out.size(), 2000u);

  MessageInflater small(kTakeover, 999);
  out.clear();
  EXPECT_EQ(inflate_message(small, exact, out), kCloseMessageTooBig);
}

TEST(MessageInflater, LimitCountsAcrossFrames) {
  MessageInflater inflater(kTakeover, 7);
  std::string out;
  // "Hello" as stored block, then "Hel" again: 8 bytes in one message.
  ASSERT_EQ(inflater.inflate(from_hex("00 05 00 fa ff 48 65 6c 6c 6f"), false, out), 0);
  EXPECT_EQ(inflater.inflate(from_hex("00 03 00 fc ff 48 65 6c 00"), true, out), kCloseMessageTooBig);
}

TEST(MessageInflater, CorruptData) {
  {  // BTYPE 11 is reserved.
    MessageInflater inflater(kTakeover, kNoLimit);
    std::string out;
    EXPECT_EQ(inflate_message(inflater, from_hex("ff ff ff ff"), out), kCloseInvalidPayload);
    EXPECT_EQ(inflate_message(inflater, from_hex("00"), out), kCloseInvalidPayload);
  }
  {  // A stored block whose NLEN is not the complement of LEN.
    MessageInflater inflater(kTakeover, kNoLimit);
    std::string out;
    EXPECT_EQ(inflate_message(inflater, from_hex("00 05 00 00 00 48 65 6c 6c 6f 00"), out), kCloseInvalidPayload);
  }
  {  // A distance reaching before the start of the data.
    MessageInflater inflater(kTakeover, kNoLimit);
    std::string out;
    EXPECT_EQ(inflate_message(inflater, from_hex("f2 00 11 00 00"), out), kCloseInvalidPayload);
  }
}

// A message cut short: the trailer cannot complete a block, so the next message would be read
// as the rest of this one.
TEST(MessageInflater, TruncatedMessage) {
  std::string payload = from_hex("f2 48 cd c9 c9 07 00");
  payload.pop_back();
  MessageInflater inflater(kTakeover, kNoLimit);
  std::string out;
  EXPECT_EQ(inflate_message(inflater, payload, out), kCloseInvalidPayload);

  MessageInflater empty(kTakeover, kNoLimit);
  EXPECT_EQ(inflate_message(empty, "", out), kCloseInvalidPayload);
}

TEST(MessageInflater, StreamIsLazyAndFreedWithoutContextTakeover) {
  MessageInflater keeps(kTakeover, kNoLimit);
  EXPECT_FALSE(keeps.holds_stream());
  inflate_ok(keeps, from_hex("f2 48 cd c9 c9 07 00"));
  EXPECT_TRUE(keeps.holds_stream());

  MessageInflater frees(kNoTakeover, kNoLimit);
  std::string out;
  ASSERT_EQ(frees.inflate(from_hex("f2 48 cd"), false, out), 0);
  EXPECT_TRUE(frees.holds_stream());
  ASSERT_EQ(frees.inflate(from_hex("c9 c9 07 00"), true, out), 0);
  EXPECT_FALSE(frees.holds_stream());
  EXPECT_EQ(inflate_ok(frees, from_hex("f2 48 cd c9 c9 07 00")), "Hello");
}

// ---------------------------------------------------------------------------------------------
// Round trips: our deflater's frames through our inflater.

std::string random_bytes(std::size_t size, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

std::string repetitive_text(std::size_t size) {
  static constexpr std::string_view kLine =
      R"({"type":"update","channel":"prices","item":{"symbol":"AAPL","price":123.45}})"
      "\n";
  std::string out;
  while (out.size() < size) out += kLine;
  out.resize(size);
  return out;
}

// Cuts `message` into `pieces` parts (the first ones possibly empty when it is short).
std::vector<std::string_view> cut(std::string_view message, std::size_t pieces) {
  std::vector<std::string_view> out;
  const std::size_t step = message.size() / pieces;
  for (std::size_t i = 0; i + 1 < pieces; ++i) {
    out.push_back(message.substr(0, step));
    message.remove_prefix(step);
  }
  out.push_back(message);
  return out;
}

void round_trip(const DeflateParams& params, const std::vector<std::string>& messages, std::size_t pieces) {
  MessageDeflater deflater(params);
  MessageInflater inflater(params, kNoLimit);
  for (const std::string& message : messages) {
    SCOPED_TRACE("message of " + std::to_string(message.size()) + " bytes in " + std::to_string(pieces) + " pieces");
    const std::vector<std::string_view> parts = cut(message, pieces);
    std::string inflated;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      const bool final_piece = i + 1 == parts.size();
      std::string frame;
      ASSERT_TRUE(deflater.compress(parts[i], final_piece, frame));
      ASSERT_EQ(inflater.inflate(frame, final_piece, inflated), 0);
    }
    EXPECT_TRUE(inflated == message);
  }
}

TEST(PermessageDeflateRoundTrip, ManySizesAndPieces) {
  const std::vector<std::string> messages = {
      "",
      "x",
      "Hello",
      repetitive_text(1000),
      random_bytes(100 * 1024, 1),
      repetitive_text(100 * 1024),
      "",
      std::string(100 * 1024, 'a'),
      repetitive_text(3000),
  };
  for (const std::size_t pieces : {1u, 2u, 3u, 7u, 64u}) {
    round_trip(kTakeover, messages, pieces);
    round_trip(kNoTakeover, messages, pieces);
  }
}

TEST(PermessageDeflateRoundTrip, ContextTakeoverPaysOff) {
  const std::string message = repetitive_text(300);
  MessageDeflater with(kTakeover);
  MessageDeflater without(kNoTakeover);
  compress_message(with, message);
  compress_message(without, message);
  EXPECT_LT(compress_message(with, message).size(), 10u);
  EXPECT_GT(compress_message(without, message).size(), 50u);
}

TEST(PermessageDeflateRoundTrip, ReleasedDeflaterStillDecodable) {
  MessageDeflater deflater(kTakeover);
  MessageInflater inflater(kTakeover, kNoLimit);
  const std::string message = repetitive_text(5000);
  for (int i = 0; i < 4; ++i) {
    std::string out;
    ASSERT_EQ(inflate_message(inflater, compress_message(deflater, message), out), 0);
    EXPECT_TRUE(out == message);
    if (i % 2 == 0) deflater.release();
  }
}

}  // namespace
}  // namespace zedge::websocket
