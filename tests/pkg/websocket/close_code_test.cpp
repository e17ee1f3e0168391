#include "websocket/close_code.hpp"

#include <gtest/gtest.h>

#include <string>

namespace zedge::websocket {
namespace {

std::string code_bytes(std::uint16_t code) { return {static_cast<char>(code >> 8U), static_cast<char>(code & 0xFFU)}; }

TEST(CloseCode, ValidPeerCodes) {
  for (const int c : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999}) {
    EXPECT_TRUE(is_valid_peer_close_code(static_cast<std::uint16_t>(c))) << c;
  }
  for (const int c : {0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535}) {
    EXPECT_FALSE(is_valid_peer_close_code(static_cast<std::uint16_t>(c))) << c;
  }
}

TEST(CloseCode, EmptyPayloadHasNoCode) {
  const ClosePayloadResult r = parse_close_payload("");
  EXPECT_TRUE(r.ok());
  EXPECT_FALSE(r.payload.code.has_value());
  EXPECT_EQ(r.payload.reason, "");
}

TEST(CloseCode, OneBytePayloadIsProtocolError) { EXPECT_EQ(parse_close_payload("\x03").error_code, 1002); }

TEST(CloseCode, CodeAndReason) {
  const ClosePayloadResult r = parse_close_payload(
      "\x03\xE8"
      "bye \xE2\x9C\x93");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.payload.code, 1000);
  EXPECT_EQ(r.payload.reason, "bye \xE2\x9C\x93");

  const ClosePayloadResult only_code = parse_close_payload(code_bytes(4321));
  ASSERT_TRUE(only_code.ok());
  EXPECT_EQ(only_code.payload.code, 4321);
  EXPECT_EQ(only_code.payload.reason, "");
}

TEST(CloseCode, ReservedCodeIsProtocolError) {
  EXPECT_EQ(parse_close_payload(code_bytes(1005)).error_code, 1002);
  EXPECT_EQ(parse_close_payload(code_bytes(1006)).error_code, 1002);
  EXPECT_EQ(parse_close_payload(code_bytes(1015)).error_code, 1002);
  EXPECT_EQ(parse_close_payload(code_bytes(999) + "x").error_code, 1002);
}

TEST(CloseCode, InvalidUtf8ReasonIs1007) {
  EXPECT_EQ(parse_close_payload(code_bytes(1000) + "\xCE\xBA\xE1\xBD").error_code, 1007);
  EXPECT_EQ(parse_close_payload(code_bytes(1000) + "\xED\xA0\x80").error_code, 1007);
}

TEST(CloseCode, MakeClosePayload) {
  EXPECT_EQ(make_close_payload(1000, ""), std::string("\x03\xE8", 2));
  EXPECT_EQ(make_close_payload(1009, "too big"), std::string("\x03\xF1"
                                                             "too big",
                                                             9));
  EXPECT_EQ(make_close_payload(4999, "x"), std::string("\x13\x87x", 3));
}

TEST(CloseCode, MakeClosePayloadCutsReasonAtCharacterBoundary) {
  const std::string ascii(200, 'a');
  EXPECT_EQ(make_close_payload(1000, ascii).size(), 125U);

  // 122 ASCII bytes then a 3-byte character: the character would end at byte 125 of the
  // reason (127 of the payload), so it is dropped whole.
  const std::string mixed = std::string(122, 'b') + "\xE2\x9C\x93";
  const std::string payload = make_close_payload(1000, mixed);
  EXPECT_EQ(payload.size(), 2U + 122U);
  EXPECT_TRUE(parse_close_payload(payload).ok());
}

}  // namespace
}  // namespace zedge::websocket
