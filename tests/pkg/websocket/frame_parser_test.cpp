#include "websocket/frame_parser.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "utf8/utf8_validator.hpp"

namespace zedge::websocket {
namespace {

constexpr std::array<std::uint8_t, 4> kMask{0x37, 0xFA, 0x21, 0x3D};

// A client frame as a browser would send it. `length_bytes` forces the length encoding
// (0 = minimal, 2 = 16-bit, 8 = 64-bit) to build non-minimal frames.
std::string client_frame(std::uint8_t first_byte, std::string_view payload, bool masked = true,
                         std::size_t length_bytes = 0, std::array<std::uint8_t, 4> mask = kMask) {
  std::string out;
  out.push_back(static_cast<char>(first_byte));
  const std::uint8_t mask_bit = masked ? 0x80 : 0x00;
  const std::size_t n = payload.size();
  if (length_bytes == 0) length_bytes = n <= 125 ? 1 : (n <= 0xFFFF ? 2 : 8);
  if (length_bytes == 1) {
    out.push_back(static_cast<char>(mask_bit | n));
  } else {
    out.push_back(static_cast<char>(mask_bit | (length_bytes == 2 ? 126U : 127U)));
    for (std::size_t i = length_bytes; i > 0; --i) {
      out.push_back(static_cast<char>((static_cast<std::uint64_t>(n) >> (8U * (i - 1))) & 0xFFU));
    }
  }
  if (masked) {
    for (const std::uint8_t b : mask) out.push_back(static_cast<char>(b));
  }
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t key = masked ? mask[i % 4] : 0;
    out.push_back(static_cast<char>(static_cast<std::uint8_t>(payload[i]) ^ key));
  }
  return out;
}

// Records events as text; consecutive payload pieces are joined so that transcripts of
// split and whole feeding compare equal.
class Transcript : public FrameParser::Handler {
 public:
  void on_frame_header(const FrameHeader& h) override {
    text += "H fin=" + std::to_string(h.fin) + " rsv=" + std::to_string(h.rsv1) + std::to_string(h.rsv2) +
            std::to_string(h.rsv3) + " op=" + std::to_string(static_cast<int>(h.opcode)) +
            " len=" + std::to_string(h.payload_length) + "\n";
    headers.push_back(h);
    payloads.emplace_back();
  }
  void on_frame_payload(std::string_view piece) override {
    ++pieces;
    payloads.back().append(piece);
  }
  void on_frame_end() override { text += "P " + payloads.back() + "\nE\n"; }

  std::string text;
  std::vector<FrameHeader> headers;
  std::vector<std::string> payloads;
  int pieces = 0;
};

struct Outcome {
  std::string transcript;
  std::uint16_t close_code = 0;
  std::size_t consumed = 0;
};

Outcome parse_whole(std::string_view wire, FrameParserOptions options = {}) {
  FrameParser parser(options);
  Transcript t;
  Outcome o;
  o.consumed = parser.feed(wire, t);
  o.transcript = t.text;
  o.close_code = parser.close_code();
  return o;
}

Outcome parse_split(std::string_view wire, std::size_t piece, FrameParserOptions options = {}) {
  FrameParser parser(options);
  Transcript t;
  Outcome o;
  for (std::size_t i = 0; i < wire.size() && !parser.failed(); i += piece) {
    o.consumed += parser.feed(wire.substr(i, piece), t);
  }
  o.transcript = t.text;
  o.close_code = parser.close_code();
  return o;
}

std::uint16_t error_of(std::string_view wire, FrameParserOptions options = {}) {
  return parse_whole(wire, options).close_code;
}

TEST(FrameParser, MaskedTextFrameFromRfc) {
  // RFC 6455 §5.7: a single-frame masked text message "Hello".
  const std::string wire("\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11);
  FrameParser parser;
  Transcript t;
  EXPECT_EQ(parser.feed(wire, t), wire.size());
  EXPECT_FALSE(parser.failed());
  ASSERT_EQ(t.headers.size(), 1U);
  EXPECT_TRUE(t.headers[0].fin);
  EXPECT_TRUE(t.headers[0].masked);
  EXPECT_EQ(t.headers[0].opcode, Opcode::kText);
  EXPECT_EQ(t.headers[0].payload_length, 5U);
  EXPECT_EQ(t.headers[0].mask, kMask);
  EXPECT_EQ(t.payloads[0], "Hello");
}

TEST(FrameParser, EveryOpcode) {
  const std::string wire = client_frame(0x01, "te") + client_frame(0x00, "xt") + client_frame(0x89, "ping") +
                           client_frame(0x80, "!") + client_frame(0x82, std::string("\x00\xFF", 2)) +
                           client_frame(0x8A, "pong") + client_frame(0x88, "\x03\xE8");
  const Outcome o = parse_whole(wire);
  EXPECT_EQ(o.close_code, 0);
  EXPECT_EQ(o.transcript,
            "H fin=0 rsv=000 op=1 len=2\nP te\nE\n"
            "H fin=0 rsv=000 op=0 len=2\nP xt\nE\n"
            "H fin=1 rsv=000 op=9 len=4\nP ping\nE\n"
            "H fin=1 rsv=000 op=0 len=1\nP !\nE\n"
            "H fin=1 rsv=000 op=2 len=2\nP " +
                std::string("\x00\xFF", 2) +
                "\nE\n"
                "H fin=1 rsv=000 op=10 len=4\nP pong\nE\n"
                "H fin=1 rsv=000 op=8 len=2\nP \x03\xE8\nE\n");
}

TEST(FrameParser, LengthEncodingBoundaries) {
  for (const std::size_t n : {0U, 1U, 125U, 126U, 127U, 65535U, 65536U, 70000U}) {
    std::string payload(n, '\0');
    for (std::size_t i = 0; i < n; ++i) payload[i] = static_cast<char>(i * 7U);
    FrameParser parser;
    Transcript t;
    const std::string wire = client_frame(0x82, payload);
    ASSERT_EQ(parser.feed(wire, t), wire.size()) << n;
    ASSERT_FALSE(parser.failed()) << n;
    ASSERT_EQ(t.headers.size(), 1U);
    EXPECT_EQ(t.headers[0].payload_length, n);
    EXPECT_EQ(t.payloads[0], payload) << n;
  }
}

TEST(FrameParser, WireHeaderBytesForEachEncoding) {
  EXPECT_EQ(client_frame(0x82, std::string(125, 'a')).substr(0, 2), "\x82\xFD");
  EXPECT_EQ(client_frame(0x82, std::string(126, 'a')).substr(0, 4), std::string("\x82\xFE\x00\x7E", 4));
  EXPECT_EQ(client_frame(0x82, std::string(65535, 'a')).substr(0, 4), "\x82\xFE\xFF\xFF");
  EXPECT_EQ(client_frame(0x82, std::string(65536, 'a')).substr(0, 10),
            std::string("\x82\xFF\x00\x00\x00\x00\x00\x01\x00\x00", 10));
}

TEST(FrameParser, DifferentMasksUnmaskCorrectly) {
  for (const auto& mask : {std::array<std::uint8_t, 4>{0, 0, 0, 0}, std::array<std::uint8_t, 4>{0xFF, 0xFF, 0xFF, 0xFF},
                           std::array<std::uint8_t, 4>{0x01, 0x80, 0x7F, 0xFE}}) {
    FrameParser parser;
    Transcript t;
    const std::string text = "The quick brown fox";
    parser.feed(client_frame(0x81, text, true, 0, mask), t);
    ASSERT_EQ(t.payloads.size(), 1U);
    EXPECT_EQ(t.payloads[0], text);
    EXPECT_EQ(t.headers[0].mask, mask);
  }
}

TEST(FrameParser, LargePayloadDeliveredInPiecesWithMaskPhaseKept) {
  std::string payload(10000, '\0');
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(i);
  const std::string wire = client_frame(0x82, payload);
  FrameParser parser;
  Transcript t;
  // Odd-sized slices put the mask phase at every offset.
  for (std::size_t i = 0; i < wire.size(); i += 333) parser.feed(wire.substr(i, 333), t);
  EXPECT_FALSE(parser.failed());
  EXPECT_EQ(t.payloads.at(0), payload);
  EXPECT_GT(t.pieces, 1);
}

TEST(FrameParser, SplitAtEveryByteBoundaryEqualsWhole) {
  const std::string wire = client_frame(0x01, "frag") + client_frame(0x89, "") +
                           client_frame(0x80, std::string(300, 'q')) + client_frame(0x82, std::string(126, 'b')) +
                           client_frame(0x8A, "pong!") + client_frame(0x81, std::string(65536, 'w')) +
                           client_frame(0x88,
                                        "\x03\xE8"
                                        "bye");
  const Outcome whole = parse_whole(wire);
  ASSERT_EQ(whole.close_code, 0);
  ASSERT_EQ(whole.consumed, wire.size());
  // Two slices split at every boundary within the first frames.
  for (std::size_t cut = 0; cut <= 400; ++cut) {
    FrameParser parser;
    Transcript t;
    std::size_t consumed = parser.feed(std::string_view(wire).substr(0, cut), t);
    consumed += parser.feed(std::string_view(wire).substr(cut), t);
    ASSERT_EQ(consumed, wire.size()) << cut;
    ASSERT_EQ(t.text, whole.transcript) << cut;
  }
  for (const std::size_t piece : {1U, 2U, 3U, 5U, 7U, 13U, 4096U}) {
    const Outcome split = parse_split(wire, piece);
    EXPECT_EQ(split.close_code, 0) << piece;
    EXPECT_EQ(split.consumed, wire.size()) << piece;
    EXPECT_EQ(split.transcript, whole.transcript) << piece;
  }
}

TEST(FrameParser, SplitFeedingReportsSameError) {
  const std::string wire = client_frame(0x81, "ok") + client_frame(0x89, std::string(126, 'p'));
  const Outcome whole = parse_whole(wire);
  EXPECT_EQ(whole.close_code, 1002);
  for (std::size_t piece = 1; piece <= wire.size(); ++piece) {
    const Outcome split = parse_split(wire, piece);
    EXPECT_EQ(split.close_code, 1002) << piece;
    EXPECT_EQ(split.transcript, whole.transcript) << piece;
    EXPECT_EQ(split.consumed, whole.consumed) << piece;
  }
}

TEST(FrameParser, ControlFramesBetweenFragmentsAllowed) {
  const std::string wire = client_frame(0x02, "a") + client_frame(0x89, "p") + client_frame(0x8A, "q") +
                           client_frame(0x00, "b") + client_frame(0x88, "") + client_frame(0x80, "c");
  FrameParser parser;
  Transcript t;
  EXPECT_EQ(parser.feed(wire, t), wire.size());
  EXPECT_FALSE(parser.failed());
  EXPECT_FALSE(parser.in_fragmented_message());
  EXPECT_EQ(t.headers.size(), 6U);
}

TEST(FrameParser, UnmaskedFrameIs1002) {
  FrameParser parser;
  Transcript t;
  EXPECT_EQ(parser.feed(client_frame(0x81, "Hello", false), t), 2U);
  EXPECT_TRUE(parser.failed());
  EXPECT_EQ(parser.close_code(), 1002);
  EXPECT_EQ(parser.error_text(), "client frame is not masked");
  EXPECT_TRUE(t.headers.empty());
  // Stays failed.
  EXPECT_EQ(parser.feed(client_frame(0x81, "x"), t), 0U);
}

TEST(FrameParser, ReservedOpcodesAre1002) {
  for (const unsigned op : {0x3U, 0x4U, 0x5U, 0x6U, 0x7U, 0xBU, 0xCU, 0xDU, 0xEU, 0xFU}) {
    EXPECT_EQ(error_of(client_frame(static_cast<std::uint8_t>(0x80U | op), "")), 1002) << op;
  }
}

TEST(FrameParser, ReservedBitsAre1002) {
  EXPECT_EQ(error_of(client_frame(0xC1, "x")), 1002);  // RSV1 without deflate
  EXPECT_EQ(error_of(client_frame(0xA1, "x")), 1002);  // RSV2
  EXPECT_EQ(error_of(client_frame(0x91, "x")), 1002);  // RSV3
  FrameParserOptions deflate;
  deflate.rsv1_allowed = true;
  EXPECT_EQ(error_of(client_frame(0xC1, "x"), deflate), 0);
  EXPECT_EQ(error_of(client_frame(0xC2, "x"), deflate), 0);
  EXPECT_EQ(error_of(client_frame(0xA1, "x"), deflate), 1002);
  EXPECT_EQ(error_of(client_frame(0xC9, "x"), deflate), 1002);  // RSV1 on a ping
  EXPECT_EQ(error_of(client_frame(0x41, "x") + client_frame(0xC0, "y"), deflate), 1002);
  const Outcome ok = parse_whole(client_frame(0x41, "x") + client_frame(0x80, "y"), deflate);
  EXPECT_EQ(ok.close_code, 0);
  EXPECT_EQ(ok.transcript, "H fin=0 rsv=100 op=1 len=1\nP x\nE\nH fin=1 rsv=000 op=0 len=1\nP y\nE\n");
}

TEST(FrameParser, FragmentedControlFrameIs1002) {
  EXPECT_EQ(error_of(client_frame(0x09, "p")), 1002);
  EXPECT_EQ(error_of(client_frame(0x0A, "p")), 1002);
  EXPECT_EQ(error_of(client_frame(0x08, "")), 1002);
}

TEST(FrameParser, ControlFrameOver125Is1002) {
  EXPECT_EQ(error_of(client_frame(0x89, std::string(125, 'p'))), 0);
  EXPECT_EQ(error_of(client_frame(0x89, std::string(126, 'p'))), 1002);
  EXPECT_EQ(error_of(client_frame(0x8A, std::string(200, 'p'))), 1002);
  EXPECT_EQ(error_of(client_frame(0x88, std::string(65536, 'p'))), 1002);
}

TEST(FrameParser, ContinuationWithoutMessageIs1002) {
  EXPECT_EQ(error_of(client_frame(0x80, "x")), 1002);
  EXPECT_EQ(error_of(client_frame(0x00, "x")), 1002);
  EXPECT_EQ(error_of(client_frame(0x81, "a") + client_frame(0x80, "x")), 1002);
}

TEST(FrameParser, NewDataFrameInsideFragmentedMessageIs1002) {
  EXPECT_EQ(error_of(client_frame(0x01, "a") + client_frame(0x81, "b")), 1002);
  EXPECT_EQ(error_of(client_frame(0x02, "a") + client_frame(0x89, "") + client_frame(0x02, "b")), 1002);
}

TEST(FrameParser, NonMinimalLengthsAre1002) {
  EXPECT_EQ(error_of(client_frame(0x82, std::string(125, 'a'), true, 2)), 1002);
  EXPECT_EQ(error_of(client_frame(0x82, std::string(126, 'a'), true, 2)), 0);
  EXPECT_EQ(error_of(client_frame(0x82, std::string(65535, 'a'), true, 8)), 1002);
  EXPECT_EQ(error_of(client_frame(0x82, std::string(65536, 'a'), true, 8)), 0);
  EXPECT_EQ(error_of(client_frame(0x82, "", true, 8)), 1002);
}

TEST(FrameParser, SixtyFourBitLengthWithTopBitIs1002) {
  const std::string wire("\x82\xFF\x80\x00\x00\x00\x00\x00\x00\x00", 10);
  const Outcome o = parse_whole(wire);
  EXPECT_EQ(o.close_code, 1002);
  EXPECT_EQ(o.consumed, wire.size());
}

TEST(FrameParser, MessageOverMaximumIs1009) {
  FrameParserOptions small;
  small.max_message_bytes = 10;
  EXPECT_EQ(error_of(client_frame(0x82, std::string(10, 'a')), small), 0);
  EXPECT_EQ(error_of(client_frame(0x82, std::string(11, 'a')), small), 1009);
  // Summed across fragments, including when the total only goes over on the last one.
  EXPECT_EQ(error_of(client_frame(0x02, "aaaa") + client_frame(0x00, "bbbb") + client_frame(0x80, "cc"), small), 0);
  EXPECT_EQ(error_of(client_frame(0x02, "aaaa") + client_frame(0x00, "bbbb") + client_frame(0x80, "ccc"), small), 1009);
  // Each message starts from zero; control frames do not count.
  EXPECT_EQ(error_of(client_frame(0x81, std::string(10, 'a')) + client_frame(0x89, "pp") +
                         client_frame(0x81, std::string(10, 'a')),
                     small),
            0);
  // A huge declared length fails at the header, before any payload.
  const std::string huge("\x82\xFF\x7F\xFF\xFF\xFF\xFF\xFF\xFF\xFF\x00\x00\x00\x00", 14);
  EXPECT_EQ(error_of(huge, small), 1009);
  EXPECT_EQ(error_of(huge), 1009);
}

TEST(FrameParser, EmptyFramesReportHeaderAndEnd) {
  const Outcome o = parse_whole(client_frame(0x81, "") + client_frame(0x89, ""));
  EXPECT_EQ(o.transcript, "H fin=1 rsv=000 op=1 len=0\nP \nE\nH fin=1 rsv=000 op=9 len=0\nP \nE\n");
}

}  // namespace
}  // namespace zedge::websocket

namespace zedge::websocket {
namespace {

// The connection layer's use: validate a fragmented text message piece by piece.
class TextMessageChecker : public FrameParser::Handler {
 public:
  void on_frame_header(const FrameHeader& h) override {
    if (h.opcode == Opcode::kText) {
      in_text = true;
      utf8.reset();
    }
    current = h;
  }
  void on_frame_payload(std::string_view piece) override {
    if (in_text && !is_control(current.opcode) && !utf8.feed(piece)) close_code = 1007;
  }
  void on_frame_end() override {
    if (in_text && !is_control(current.opcode) && current.fin) {
      if (!utf8.finish()) close_code = 1007;
      in_text = false;
    }
  }

  FrameHeader current;
  utf8::Utf8Validator utf8;
  bool in_text = false;
  std::uint16_t close_code = 0;
};

std::uint16_t text_error(std::string_view wire) {
  FrameParser parser;
  TextMessageChecker checker;
  parser.feed(wire, checker);
  return parser.failed() ? parser.close_code() : checker.close_code;
}

TEST(FrameParserWithUtf8, CharacterSplitAcrossFragmentsIsValid) {
  // U+1F600 = F0 9F 98 80 split over three fragments with a ping in between.
  EXPECT_EQ(text_error(client_frame(0x01, "a\xF0") + client_frame(0x00, "\x9F") + client_frame(0x89, "\xFF") +
                       client_frame(0x80, "\x98\x80")),
            0);
}

TEST(FrameParserWithUtf8, InvalidTextIs1007) {
  EXPECT_EQ(text_error(client_frame(0x81, "\xED\xA0\x80")), 1007);
  EXPECT_EQ(text_error(client_frame(0x01, "ok\xF0\x9F") + client_frame(0x80, "")), 1007);
  EXPECT_EQ(text_error(client_frame(0x01, "\xC0") + client_frame(0x80, "\x80")), 1007);
  // Binary messages are not checked.
  EXPECT_EQ(text_error(client_frame(0x82, "\xFF")), 0);
}

// Random bytes (masked headers mostly well-formed) must never crash, and whole and split
// feeding must agree on events, error and bytes consumed.
TEST(FrameParser, RandomInputWholeEqualsSplit) {
  std::uint32_t state = 12345;
  auto next = [&state]() {
    state = state * 1103515245U + 12345U;
    return static_cast<std::uint8_t>(state >> 16U);
  };
  for (int round = 0; round < 500; ++round) {
    std::string wire;
    const int frames = 1 + next() % 6;
    for (int f = 0; f < frames; ++f) {
      const auto first = static_cast<std::uint8_t>(next() & 0x8BU);  // some fin/opcode mixes
      std::string payload(next() % 140U, '\0');
      for (char& c : payload) c = static_cast<char>(next());
      wire += client_frame(first, payload, next() % 16U != 0);
    }
    if (next() % 4U == 0) wire += static_cast<char>(next());
    const Outcome whole = parse_whole(wire);
    const std::size_t piece = 1U + next() % 9U;
    const Outcome split = parse_split(wire, piece);
    ASSERT_EQ(split.transcript, whole.transcript) << round;
    ASSERT_EQ(split.close_code, whole.close_code) << round;
    ASSERT_EQ(split.consumed, whole.consumed) << round;
  }
}

}  // namespace
}  // namespace zedge::websocket
