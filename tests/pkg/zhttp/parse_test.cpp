// ZHTTP parsing: fields, packet types, multi-id, strict types, limits.
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

// Condure's own response-parse vector (src/zhttppacket.rs test_parse): every data
// field, keys in an unusual order, and an unknown "user-data" map that is skipped.
TEST(ZhttpParse, CondureResponseVector) {
  const std::string_view frame =
      "T208:4:more,4:true!7:headers,34:30:12:Content-Type,10:text/plain,]]12:content-type,"
      "6:binary,4:from,6:server,2:id,1:1,6:reason,2:OK,7:credits,3:100#9:user-data,12:3:foo,"
      "3:bar,}3:seq,1:0#4:code,3:200#4:body,5:hello,}";
  Packet p;
  ASSERT_EQ(parse(frame, p), ParseError::None);
  EXPECT_EQ(p.type, PacketType::Data);
  EXPECT_EQ(p.from, "server");
  ASSERT_EQ(p.ids.size(), 1u);
  EXPECT_FALSE(p.id_is_list);
  EXPECT_EQ(p.id(), "1");
  EXPECT_EQ(p.seq(), 0);
  EXPECT_EQ(p.credits, 100);
  EXPECT_TRUE(p.more);
  EXPECT_EQ(p.code, 200);
  EXPECT_EQ(p.reason, "OK");
  ASSERT_EQ(p.headers.size(), 1u);
  EXPECT_EQ(p.headers[0], (Header{"Content-Type", "text/plain"}));
  EXPECT_TRUE(p.has_headers);
  EXPECT_EQ(p.content_type, "binary");
  EXPECT_TRUE(p.has_body);
  EXPECT_EQ(p.body, "hello");
  EXPECT_FALSE(p.ext_multi);
}

// Condure's request-serialize vector.
TEST(ZhttpParse, CondureRequestVector) {
  const std::string_view frame =
      "T161:4:from,6:client,2:id,1:1,3:seq,1:0#6:method,4:POST,3:uri,23:http://example.com/path,"
      "7:headers,34:30:12:Content-Type,10:text/plain,]]4:body,5:hello,4:more,4:true!}";
  Packet p;
  ASSERT_EQ(parse(frame, p), ParseError::None);
  EXPECT_EQ(p.from, "client");
  EXPECT_EQ(p.id(), "1");
  EXPECT_EQ(p.seq(), 0);
  EXPECT_EQ(p.method, "POST");
  EXPECT_EQ(p.uri, "http://example.com/path");
  EXPECT_EQ(p.body, "hello");
  EXPECT_TRUE(p.more);
  EXPECT_FALSE(p.stream);
  EXPECT_FALSE(p.credits.has_value());
  EXPECT_FALSE(p.peer_address.has_value());
}

// A handler's first response of a stream.
TEST(ZhttpParse, HandlerStreamResponse) {
  const std::string_view frame =
      "T150:4:from,11:testhandler,2:id,5:1-0-1,3:seq,1:0#4:code,3:200#6:reason,2:OK,"
      "7:headers,34:30:12:Content-Type,10:text/plain,]]4:more,4:true!4:body,6:first\n,}";
  Packet p;
  ASSERT_EQ(parse(frame, p), ParseError::None);
  EXPECT_EQ(p.from, "testhandler");
  EXPECT_EQ(p.id(), "1-0-1");
  EXPECT_EQ(p.code, 200);
  EXPECT_TRUE(p.more);
  EXPECT_EQ(p.body, "first\n");
}

TEST(ZhttpParse, ViewsPointIntoTheFrame) {
  const std::string frame = "T31:4:from,1:h,2:id,1:a,4:body,1:x,}";
  Packet p;
  ASSERT_EQ(parse(frame, p), ParseError::None);
  EXPECT_EQ(p.body.data(), frame.data() + frame.find("1:x") + 2);
  EXPECT_TRUE(p.storage.empty());
}

TEST(ZhttpParse, EveryPacketType) {
  struct Case {
    std::string_view frame;
    PacketType type;
  };
  const Case cases[] = {
      {"T24:2:id,1:a,4:type,5:error,}", PacketType::Error},
      {"T25:2:id,1:a,4:type,6:credit,}", PacketType::Credit},
      {"T30:2:id,1:a,4:type,10:keep-alive,}", PacketType::KeepAlive},
      {"T25:2:id,1:a,4:type,6:cancel,}", PacketType::Cancel},
      {"T33:2:id,1:a,4:type,13:handoff-start,}", PacketType::HandoffStart},
      {"T35:2:id,1:a,4:type,15:handoff-proceed,}", PacketType::HandoffProceed},
      {"T24:2:id,1:a,4:type,5:close,}", PacketType::Close},
      {"T23:2:id,1:a,4:type,4:ping,}", PacketType::Ping},
      {"T23:2:id,1:a,4:type,4:pong,}", PacketType::Pong},
      {"T9:2:id,1:a,}", PacketType::Data},
      {"T19:2:id,1:a,4:type,0:,}", PacketType::Data},  // empty type is data, as in Condure
  };
  for (const Case& c : cases) {
    Packet p;
    ASSERT_EQ(parse(c.frame, p), ParseError::None) << c.frame;
    EXPECT_EQ(p.type, c.type) << c.frame;
    EXPECT_EQ(type_from_name(type_name(c.type)), c.type);
  }
}

TEST(ZhttpParse, UnknownTypeIsAnError) {
  EXPECT_EQ(parse_error("T24:2:id,1:a,4:type,5:bogus,}"), ParseError::UnknownType);
  EXPECT_EQ(parse_error("T24:2:id,1:a,4:type,5:Close,}"), ParseError::UnknownType);
  EXPECT_EQ(parse_error("T20:2:id,1:a,4:type,1:5#}"), ParseError::WrongFieldType);
}

TEST(ZhttpParse, ErrorPacketWithRejection) {
  // A WebSocket rejection: condition plus a whole response.
  const std::string_view frame =
      "T135:2:id,1:a,3:seq,1:0#4:type,5:error,9:condition,8:rejected,4:code,3:403#"
      "6:reason,9:Forbidden,7:headers,15:11:4:X-Ok,1:1,]]4:body,5:nope\n,}";
  Packet p;
  ASSERT_EQ(parse(frame, p), ParseError::None);
  EXPECT_EQ(p.type, PacketType::Error);
  EXPECT_EQ(p.condition, "rejected");
  EXPECT_EQ(p.code, 403);
  EXPECT_EQ(p.reason, "Forbidden");
  ASSERT_EQ(p.headers.size(), 1u);
  EXPECT_EQ(p.headers[0], (Header{"X-Ok", "1"}));
  EXPECT_EQ(p.body, "nope\n");
}

TEST(ZhttpParse, CreditCloseAndPing) {
  Packet p;
  ASSERT_EQ(parse("T51:2:id,1:a,3:seq,1:4#4:type,6:credit,7:credits,3:512#}", p), ParseError::None);
  EXPECT_EQ(p.type, PacketType::Credit);
  EXPECT_EQ(p.credits, 512);
  EXPECT_EQ(p.seq(), 4);

  ASSERT_EQ(parse("T52:2:id,1:a,4:type,5:close,4:code,4:1001#4:body,4:gone,}", p), ParseError::None);
  EXPECT_EQ(p.type, PacketType::Close);
  EXPECT_EQ(p.code, 1001);
  EXPECT_EQ(p.body, "gone");

  ASSERT_EQ(parse("T53:2:id,1:a,4:type,4:ping,7:credits,2:10#4:body,5:hello,}", p), ParseError::None);
  EXPECT_EQ(p.type, PacketType::Ping);
  EXPECT_EQ(p.credits, 10);
  EXPECT_EQ(p.body, "hello");
}

TEST(ZhttpParse, RequestFields) {
  const std::string_view frame =
      "T160:4:from,7:condure,2:id,5:0-0-0,3:seq,1:0#6:method,3:GET,3:uri,14:http://a/hello,"
      "7:credits,4:8192#6:stream,4:true!12:peer-address,9:127.0.0.1,9:peer-port,5:56994#}";
  Packet p;
  ASSERT_EQ(parse(frame, p), ParseError::None);
  EXPECT_EQ(p.method, "GET");
  EXPECT_EQ(p.uri, "http://a/hello");
  EXPECT_EQ(p.credits, 8192);
  EXPECT_TRUE(p.stream);
  EXPECT_EQ(p.peer_address, "127.0.0.1"sv);
  EXPECT_EQ(p.peer_port, 56994);
  EXPECT_FALSE(p.has_headers);
  EXPECT_FALSE(p.has_body);
}

TEST(ZhttpParse, WebSocketContentType) {
  Packet p;
  ASSERT_EQ(parse("T58:2:id,1:a,12:content-type,4:text,4:body,2:hi,4:more,4:true!}", p), ParseError::None);
  EXPECT_EQ(p.content_type, "text");
  EXPECT_EQ(p.body, "hi");
  EXPECT_TRUE(p.more);
}

TEST(ZhttpParse, ExtMulti) {
  Packet p;
  ASSERT_EQ(parse("T34:2:id,1:a,3:ext,15:5:multi,4:true!}}", p), ParseError::None);
  EXPECT_TRUE(p.ext_multi);
  // Unknown ext members (Pushpin's "quiet") are ignored.
  ASSERT_EQ(parse("T49:2:id,1:a,3:ext,30:5:quiet,4:true!5:multi,4:true!}}", p), ParseError::None);
  EXPECT_TRUE(p.ext_multi);
  ASSERT_EQ(parse("T35:2:id,1:a,3:ext,16:5:multi,5:false!}}", p), ParseError::None);
  EXPECT_FALSE(p.ext_multi);
  EXPECT_EQ(parse_error("T31:2:id,1:a,3:ext,12:5:multi,1:1#}}"), ParseError::WrongFieldType);
  EXPECT_EQ(parse_error("T19:2:id,1:a,3:ext,1:x,}"), ParseError::WrongFieldType);
}

TEST(ZhttpParse, MultiIdWithPerIdSeq) {
  // Condure's batched keep-alive (captured from condure 1.9.1, see condure_golden_test).
  const std::string_view frame =
      "T126:4:from,7:condure,2:id,54:23:2:id,5:0-0-7,3:seq,1:2#}23:2:id,5:0-1-8,3:seq,1:2#}]"
      "3:ext,15:5:multi,4:true!}4:type,10:keep-alive,}";
  Packet p;
  ASSERT_EQ(parse(frame, p), ParseError::None);
  EXPECT_TRUE(p.id_is_list);
  ASSERT_EQ(p.ids.size(), 2u);
  EXPECT_EQ(p.ids[0], (IdSeq{"0-0-7", 2}));
  EXPECT_EQ(p.ids[1], (IdSeq{"0-1-8", 2}));
  EXPECT_EQ(p.type, PacketType::KeepAlive);
  EXPECT_TRUE(p.ext_multi);
}

TEST(ZhttpParse, MultiIdDifferentSeqsAndMissingSeq) {
  // Pushpin-style multi-id data packet: each id has its own seq; one has none.
  const std::string_view frame = "T78:2:id,58:19:2:id,1:a,3:seq,1:5#}19:2:id,1:b,3:seq,1:9#}9:2:id,1:c,}]4:body,1:x,}";
  Packet p;
  ASSERT_EQ(parse(frame, p), ParseError::None);
  ASSERT_EQ(p.ids.size(), 3u);
  EXPECT_EQ(p.ids[0], (IdSeq{"a", 5}));
  EXPECT_EQ(p.ids[1], (IdSeq{"b", 9}));
  EXPECT_EQ(p.ids[2], (IdSeq{"c", std::nullopt}));
  EXPECT_EQ(p.body, "x");
}

TEST(ZhttpParse, SingleElementIdList) {
  Packet p;
  ASSERT_EQ(parse("T32:2:id,23:19:2:id,1:a,3:seq,1:0#}]}", p), ParseError::None);
  EXPECT_TRUE(p.id_is_list);
  ASSERT_EQ(p.ids.size(), 1u);
  EXPECT_EQ(p.ids[0], (IdSeq{"a", 0}));
}

TEST(ZhttpParse, TopLevelSeqBelongsToSingleId) {
  Packet p;
  ASSERT_EQ(parse("T19:3:seq,1:7#2:id,1:a,}", p), ParseError::None);  // seq before id
  EXPECT_EQ(p.seq(), 7);
  ASSERT_EQ(parse("T9:2:id,1:a,}", p), ParseError::None);
  EXPECT_EQ(p.seq(), std::nullopt);
}

TEST(ZhttpParse, BadIds) {
  EXPECT_EQ(parse_error("T17:4:from,7:handler,}"), ParseError::MissingId);
  EXPECT_EQ(parse_error("T8:2:id,0:]}"), ParseError::MissingId);
  EXPECT_EQ(parse_error("T23:2:id,14:10:3:seq,1:0#}]}"), ParseError::MissingId);
  EXPECT_EQ(parse_error("T9:2:id,1:5#}"), ParseError::WrongFieldType);
  EXPECT_EQ(parse_error("T12:2:id,4:1:a,]}"), ParseError::WrongFieldType);  // item not a map
  EXPECT_EQ(parse_error("T16:2:id,8:5:2:id,}]}"), ParseError::Malformed);   // bad inner map
  EXPECT_EQ(parse_error("T21:2:id,12:9:2:id,1:5#}]}"), ParseError::WrongFieldType);
}

TEST(ZhttpParse, StrictTypes) {
  // Condure is strictly typed: each wrong type rejects the packet.
  EXPECT_EQ(parse_error("T19:2:id,1:a,3:seq,1:0,}"), ParseError::WrongFieldType);
  EXPECT_EQ(parse_error("T21:2:id,1:a,4:from,2:10#}"), ParseError::WrongFieldType);
  EXPECT_EQ(parse_error("T22:2:id,1:a,4:code,3:200,}"), ParseError::WrongFieldType);
  EXPECT_EQ(parse_error("T24:2:id,1:a,7:credits,2:10,}"), ParseError::WrongFieldType);
  EXPECT_EQ(parse_error("T22:2:id,1:a,4:more,3:yes,}"), ParseError::WrongFieldType);
  EXPECT_EQ(parse_error("T20:2:id,1:a,4:more,1:1#}"), ParseError::WrongFieldType);
  EXPECT_EQ(parse_error("T22:2:id,1:a,6:stream,1:1#}"), ParseError::WrongFieldType);
  EXPECT_EQ(parse_error("T20:2:id,1:a,4:body,1:1#}"), ParseError::WrongFieldType);
  EXPECT_EQ(parse_error("T22:2:id,1:a,6:reason,1:1#}"), ParseError::WrongFieldType);
  EXPECT_EQ(parse_error("T23:2:id,1:a,7:headers,1:x,}"), ParseError::WrongFieldType);
  EXPECT_EQ(parse_error("T29:2:id,1:a,9:peer-port,5:80000,}"), ParseError::WrongFieldType);
  EXPECT_EQ(parse_error("T29:2:id,1:a,12:peer-address,1:1#}"), ParseError::WrongFieldType);
  EXPECT_EQ(parse_error("T22:2:id,1:a,6:method,1:1#}"), ParseError::WrongFieldType);
  EXPECT_EQ(parse_error("T19:2:id,1:a,3:uri,1:1#}"), ParseError::WrongFieldType);
  EXPECT_EQ(parse_error("T29:2:id,1:a,12:content-type,1:1#}"), ParseError::WrongFieldType);
  EXPECT_EQ(parse_error("T24:2:id,1:a,4:code,5:200.0^}"), ParseError::WrongFieldType);
  EXPECT_EQ(parse_error("T40:2:id,1:a,4:type,5:error,9:condition,1:1#}"), ParseError::WrongFieldType);
}

TEST(ZhttpParse, NegativeValues) {
  EXPECT_EQ(parse_error("T20:2:id,1:a,3:seq,2:-1#}"), ParseError::NegativeValue);
  EXPECT_EQ(parse_error("T24:2:id,1:a,7:credits,2:-1#}"), ParseError::NegativeValue);
  EXPECT_EQ(parse_error("T23:2:id,1:a,4:code,4:-200#}"), ParseError::NegativeValue);
  EXPECT_EQ(parse_error("T26:2:id,1:a,9:peer-port,2:-1#}"), ParseError::NegativeValue);
  EXPECT_EQ(parse_error("T33:2:id,24:20:2:id,1:a,3:seq,2:-1#}]}"), ParseError::NegativeValue);
  EXPECT_EQ(parse_error("T40:2:id,1:a,4:type,6:credit,7:credits,2:-5#}"), ParseError::NegativeValue);
}

TEST(ZhttpParse, FieldsOutsideTheirPacketTypeAreIgnored) {
  // As in Condure: a credit packet does not read "more", a keep-alive reads no payload.
  Packet p;
  ASSERT_EQ(parse("T50:2:id,1:a,4:type,6:credit,7:credits,1:5#4:more,1:x,}", p), ParseError::None);
  EXPECT_FALSE(p.more);
  EXPECT_EQ(p.credits, 5);
  ASSERT_EQ(parse("T43:2:id,1:a,4:type,10:keep-alive,4:code,3:abc,}", p), ParseError::None);
  EXPECT_FALSE(p.code.has_value());
  // Common fields are still strict in every type.
  EXPECT_EQ(parse_error("T40:2:id,1:a,3:seq,1:x,4:type,10:keep-alive,}"), ParseError::WrongFieldType);
}

TEST(ZhttpParse, UnknownKeysAreIgnored) {
  Packet p;
  ASSERT_EQ(parse("T54:2:id,1:a,9:user-data,12:3:foo,3:bar,}7:unknown,4:1:x,]}", p), ParseError::None);
  EXPECT_EQ(p.id(), "a");
}

TEST(ZhttpParse, LaterDuplicateKeyWins) {
  Packet p;
  ASSERT_EQ(parse("T35:2:id,1:a,4:code,3:200#4:code,3:404#}", p), ParseError::None);
  EXPECT_EQ(p.code, 404);
}

TEST(ZhttpParse, Headers) {
  Packet p;
  // Order, duplicates and case are kept; values are bytes.
  ASSERT_EQ(parse("T53:2:id,1:a,7:headers,30:11:1:a,4:1\xff\x00"
                  "2,]11:1:A,4:3:::,]]}"sv,
                  p),
            ParseError::None);
  ASSERT_EQ(p.headers.size(), 2u);
  EXPECT_EQ(p.headers[0], (Header{"a",
                                  "1\xff\x00"
                                  "2"sv}));
  EXPECT_EQ(p.headers[1], (Header{"A", "3:::"}));
  // An empty header list is present but empty.
  ASSERT_EQ(parse("T22:2:id,1:a,7:headers,0:]}", p), ParseError::None);
  EXPECT_TRUE(p.has_headers);
  EXPECT_TRUE(p.headers.empty());
}

TEST(ZhttpParse, BadHeaders) {
  EXPECT_EQ(parse_error("T29:2:id,1:a,7:headers,7:4:1:a,]]}"), ParseError::BadHeader);
  EXPECT_EQ(parse_error("T34:2:id,1:a,7:headers,11:8:1:a,1:b,]]}"), ParseError::None);
  EXPECT_EQ(parse_error("T39:2:id,1:a,7:headers,16:12:1:a,1:b,1:c,]]}"), ParseError::BadHeader);
  EXPECT_EQ(parse_error("T34:2:id,1:a,7:headers,11:8:1:a,1:1#]]}"), ParseError::BadHeader);
  EXPECT_EQ(parse_error("T30:2:id,1:a,7:headers,8:1:a,1:b,]}"), ParseError::BadHeader);
  EXPECT_EQ(parse_error("T25:2:id,1:a,7:headers,3:0:]]}"), ParseError::BadHeader);
  EXPECT_EQ(parse_error("T34:2:id,1:a,7:headers,11:8:1:\xff,1:b,]]}"), ParseError::NotUtf8);
}

TEST(ZhttpParse, Utf8Fields) {
  // reason, condition, type, close reason and keys must be UTF-8; body and values need not.
  EXPECT_EQ(parse_error("T24:2:id,1:a,6:reason,3:\xc3\xa9!,}"), ParseError::None);
  EXPECT_EQ(parse_error("T22:2:id,1:a,6:reason,1:\xff,}"), ParseError::NotUtf8);
  EXPECT_EQ(parse_error("T24:2:id,1:a,6:reason,3:\xed\xa0\x80,}"), ParseError::NotUtf8);  // surrogate
  EXPECT_EQ(parse_error("T23:2:id,1:a,6:reason,2:\xc0\xaf,}"), ParseError::NotUtf8);      // overlong
  EXPECT_EQ(parse_error("T40:2:id,1:a,4:type,5:error,9:condition,1:\xff,}"), ParseError::NotUtf8);
  EXPECT_EQ(parse_error("T20:2:id,1:a,4:type,1:\xff,}"), ParseError::NotUtf8);
  EXPECT_EQ(parse_error("T35:2:id,1:a,4:type,5:close,4:body,1:\xff,}"), ParseError::NotUtf8);
  EXPECT_EQ(parse_error("T20:2:id,1:a,4:body,1:\xff,}"), ParseError::None);
  EXPECT_EQ(parse_error("T17:2:id,1:a,1:\xff,1:x,}"), ParseError::NotUtf8);  // key
}

std::string id_of_length(std::size_t n) { return std::string(n, 'i'); }

std::string frame_with_id(const std::string& id) {
  const std::string body = "2:id," + std::to_string(id.size()) + ":" + id + ",";
  return "T" + std::to_string(body.size()) + ":" + body + "}";
}

std::string frame_with_from(const std::string& from) {
  const std::string body = "2:id,1:a,4:from," + std::to_string(from.size()) + ":" + from + ",";
  return "T" + std::to_string(body.size()) + ":" + body + "}";
}

TEST(ZhttpParse, FromAndIdLimits) {
  EXPECT_EQ(parse_error(frame_with_id(id_of_length(kIdMaxBytes))), ParseError::None);
  EXPECT_EQ(parse_error(frame_with_id(id_of_length(kIdMaxBytes + 1))), ParseError::TooLong);
  EXPECT_EQ(parse_error(frame_with_from(std::string(kFromMaxBytes, 'f'))), ParseError::None);
  EXPECT_EQ(parse_error(frame_with_from(std::string(kFromMaxBytes + 1, 'f'))), ParseError::TooLong);
  // Over-long id inside the list form.
  const std::string long_id = id_of_length(kIdMaxBytes + 1);
  const std::string item = "2:id," + std::to_string(long_id.size()) + ":" + long_id + ",";
  const std::string item_map = std::to_string(item.size()) + ":" + item + "}";
  const std::string list = std::to_string(item_map.size()) + ":" + item_map + "]";
  const std::string body = "2:id," + list;
  EXPECT_EQ(parse_error("T" + std::to_string(body.size()) + ":" + body + "}"), ParseError::TooLong);
}

std::string frame_with_ids(std::size_t count) {
  std::string items;
  for (std::size_t i = 0; i < count; ++i) {
    const std::string id = std::to_string(i);
    const std::string item = "2:id," + std::to_string(id.size()) + ":" + id + ",";
    items += std::to_string(item.size()) + ":" + item + "}";
  }
  const std::string body = "2:id," + std::to_string(items.size()) + ":" + items + "]";
  return "T" + std::to_string(body.size()) + ":" + body + "}";
}

TEST(ZhttpParse, IdCountLimit) {
  Packet p;
  const std::string frame = frame_with_ids(kIdsMax);  // p's ids point into it
  ASSERT_EQ(parse(frame, p), ParseError::None);
  EXPECT_EQ(p.ids.size(), kIdsMax);
  EXPECT_EQ(p.ids.back().id, "127");
  EXPECT_EQ(parse_error(frame_with_ids(kIdsMax + 1)), ParseError::TooMany);
}

std::string frame_with_headers(std::size_t count) {
  std::string items;
  for (std::size_t i = 0; i < count; ++i) items += "8:1:h,1:v,]";
  const std::string body = "2:id,1:a,7:headers," + std::to_string(items.size()) + ":" + items + "]";
  return "T" + std::to_string(body.size()) + ":" + body + "}";
}

TEST(ZhttpParse, HeaderCountLimit) {
  Packet p;
  ASSERT_EQ(parse(frame_with_headers(kHeadersMax), p), ParseError::None);
  EXPECT_EQ(p.headers.size(), kHeadersMax);
  EXPECT_EQ(parse_error(frame_with_headers(kHeadersMax + 1)), ParseError::TooMany);
}

TEST(ZhttpParse, FramingErrors) {
  EXPECT_EQ(parse_error(""), ParseError::Empty);
  EXPECT_EQ(parse_error("X9:2:id,1:a,}"), ParseError::UnknownFormat);
  EXPECT_EQ(parse_error("9:2:id,1:a,}"), ParseError::UnknownFormat);  // no format byte
  EXPECT_EQ(parse_error("T"), ParseError::Malformed);
  EXPECT_EQ(parse_error("T9:2:id,1:a,"), ParseError::Malformed);    // truncated
  EXPECT_EQ(parse_error("T9:2:id,1:a,}x"), ParseError::Malformed);  // trailing bytes
  EXPECT_EQ(parse_error("T09:2:id,1:a,}"), ParseError::Malformed);  // leading zero
  EXPECT_EQ(parse_error("T5:2:id,}"), ParseError::Malformed);       // odd map
  EXPECT_EQ(parse_error("T8:1:1#1:a,}"), ParseError::Malformed);    // int key
  EXPECT_EQ(parse_error("T9:2:id,1:a,]"), ParseError::NotAMap);
  EXPECT_EQ(parse_error("T1:a,"), ParseError::NotAMap);
  EXPECT_EQ(parse_error("T13:2:id,1:a,1:x;}"), ParseError::Malformed);  // unknown type char
}

TEST(ZhttpParse, ReusedPacketIsReset) {
  Packet p;
  ASSERT_EQ(parse("T36:2:id,1:a,4:code,3:200#4:more,4:true!}", p), ParseError::None);
  ASSERT_EQ(parse("T9:2:id,1:b,}", p), ParseError::None);
  EXPECT_EQ(p.id(), "b");
  EXPECT_FALSE(p.code.has_value());
  EXPECT_FALSE(p.more);
  EXPECT_EQ(p.ids.size(), 1u);
}

TEST(ZhttpParse, ErrorTextIsNeverEmpty) {
  for (int e = 0; e <= static_cast<int>(ParseError::NotUtf8); ++e) {
    EXPECT_FALSE(error_text(static_cast<ParseError>(e)).empty());
  }
}

}  // namespace
}  // namespace zedge::zhttp
