// "J" (JSON) input, as Zurl accepts it: same fields and the same
// strict types as "T"; output is always "T".
#include <gtest/gtest.h>

#include <string>

#include "zhttp/packet.hpp"

namespace zedge::zhttp {
namespace {

using namespace std::string_view_literals;

ParseError parse_error(std::string_view frame) {
  Packet p;
  return parse(frame, p);
}

TEST(ZhttpJson, HandlerResponse) {
  const std::string_view frame = R"(J{"from":"handler","id":"0-0-0","seq":0,"code":200,"reason":"OK",)"
                                 R"("headers":[["Content-Type","text/plain"]],"body":"hello\nworld","more":false})";
  Packet p;
  ASSERT_EQ(parse(frame, p), ParseError::None);
  EXPECT_EQ(p.from, "handler");
  EXPECT_EQ(p.id(), "0-0-0");
  EXPECT_EQ(p.seq(), 0);
  EXPECT_EQ(p.code, 200);
  EXPECT_EQ(p.reason, "OK");
  ASSERT_EQ(p.headers.size(), 1u);
  EXPECT_EQ(p.headers[0], (Header{"Content-Type", "text/plain"}));
  EXPECT_EQ(p.body, "hello\nworld");  // escape decoded
  EXPECT_FALSE(p.more);
  EXPECT_FALSE(p.storage.empty());  // decoded text lives in the packet
  // Output is always "T".
  EXPECT_EQ(encode(p),
            "T137:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,"
            "7:headers,34:30:12:Content-Type,10:text/plain,]]4:body,11:hello\nworld,}");
}

TEST(ZhttpJson, MultiIdAndExt) {
  Packet p;
  ASSERT_EQ(parse(R"(J{"id":[{"id":"a","seq":1},{"id":"b","seq":7}],"ext":{"multi":true},)"
                  R"("type":"keep-alive"})",
                  p),
            ParseError::None);
  ASSERT_EQ(p.ids.size(), 2u);
  EXPECT_EQ(p.ids[0], (IdSeq{"a", 1}));
  EXPECT_EQ(p.ids[1], (IdSeq{"b", 7}));
  EXPECT_TRUE(p.ext_multi);
  EXPECT_EQ(p.type, PacketType::KeepAlive);
}

TEST(ZhttpJson, UnicodeEscapesAndNul) {
  Packet p;
  ASSERT_EQ(parse(R"(J{"id":"a","body":"\u00e9\u0000x","reason":"caf\u00e9"})", p), ParseError::None);
  EXPECT_EQ(p.body, "\xc3\xa9\x00x"sv);
  EXPECT_EQ(p.reason, "caf\xc3\xa9");
}

TEST(ZhttpJson, WhitespaceIsAllowed) {
  EXPECT_EQ(parse_error("J { \"id\" : \"a\" , \"code\" : 200 }\n"), ParseError::None);
}

TEST(ZhttpJson, StrictTypes) {
  EXPECT_EQ(parse_error(R"(J{"id":"a","seq":"0"})"), ParseError::WrongFieldType);
  EXPECT_EQ(parse_error(R"(J{"id":"a","code":200.0})"), ParseError::WrongFieldType);
  EXPECT_EQ(parse_error(R"(J{"id":"a","more":1})"), ParseError::WrongFieldType);
  EXPECT_EQ(parse_error(R"(J{"id":"a","credits":-1})"), ParseError::NegativeValue);
  EXPECT_EQ(parse_error(R"(J{"id":"a","body":null})"), ParseError::WrongFieldType);
  EXPECT_EQ(parse_error(R"(J{"id":7})"), ParseError::WrongFieldType);
  EXPECT_EQ(parse_error(R"(J{"id":"a","type":"nope"})"), ParseError::UnknownType);
  EXPECT_EQ(parse_error(R"(J{"from":"h"})"), ParseError::MissingId);
}

TEST(ZhttpJson, Malformed) {
  EXPECT_EQ(parse_error("J"), ParseError::Malformed);
  EXPECT_EQ(parse_error("J{"), ParseError::Malformed);
  EXPECT_EQ(parse_error(R"(J{"id":"a"} x)"), ParseError::Malformed);    // trailing bytes
  EXPECT_EQ(parse_error(R"(J{"id":"a",})"), ParseError::Malformed);     // trailing comma
  EXPECT_EQ(parse_error("J{\"id\":\"\xff\"}"), ParseError::Malformed);  // invalid UTF-8
  EXPECT_EQ(parse_error(R"(J{"id":"a","x":18446744073709551615})"), ParseError::Malformed);
  // An integer literal too long for a double becomes infinity in RapidJSON (found by
  // fuzzing); it must be rejected, not asserted on.
  EXPECT_EQ(parse_error("J{\"id\":\"a\",\"x\":" + std::string(400, '6') + "}"), ParseError::Malformed);
  EXPECT_EQ(parse_error(R"(J{"id":"a","x":1e999})"), ParseError::Malformed);
  EXPECT_EQ(parse_error(R"(J["id","a"])"), ParseError::NotAMap);
  EXPECT_EQ(parse_error(R"(J"id")"), ParseError::NotAMap);
}

TEST(ZhttpJson, DepthLimit) {
  // 63 arrays inside the root object still fit; 64 exceed tnetstring::kMaxDepth.
  const auto nested = [](int arrays) {
    return "J{\"id\":\"a\",\"x\":" + std::string(static_cast<std::size_t>(arrays), '[') +
           std::string(static_cast<std::size_t>(arrays), ']') + "}";
  };
  EXPECT_EQ(parse_error(nested(63)), ParseError::None);
  EXPECT_EQ(parse_error(nested(64)), ParseError::Malformed);
  EXPECT_EQ(parse_error(nested(100000)), ParseError::Malformed);  // no stack overflow
}

TEST(ZhttpJson, LimitsApply) {
  const std::string long_id(kIdMaxBytes + 1, 'i');
  EXPECT_EQ(parse_error("J{\"id\":\"" + long_id + "\"}"), ParseError::TooLong);
}

}  // namespace
}  // namespace zedge::zhttp
