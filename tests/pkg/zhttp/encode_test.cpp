// ZHTTP encoding: Condure's field order, what is omitted, every packet type, and
// round trips through parse().
#include <gtest/gtest.h>

#include <string>

#include "zhttp/packet.hpp"

namespace zedge::zhttp {
namespace {

using namespace std::string_view_literals;

Packet with_id(std::string_view id, std::optional<std::int64_t> seq) {
  Packet p;
  p.ids.push_back(IdSeq{id, seq});
  return p;
}

// Condure's test_serialize "data" vector (src/zhttppacket.rs).
TEST(ZhttpEncode, CondureDataVector) {
  Packet p = with_id("1", 0);
  p.from = "client";
  p.method = "POST";
  p.uri = "http://example.com/path";
  p.headers.push_back({"Content-Type", "text/plain"});
  p.body = "hello";
  p.more = true;
  EXPECT_EQ(encode(p),
            "T161:4:from,6:client,2:id,1:1,3:seq,1:0#6:method,4:POST,3:uri,"
            "23:http://example.com/path,7:headers,34:30:12:Content-Type,10:text/plain,]]"
            "4:body,5:hello,4:more,4:true!}");
}

// Condure's test_serialize "error" vector.
TEST(ZhttpEncode, CondureErrorVector) {
  Packet p = with_id("1", 0);
  p.from = "client";
  p.type = PacketType::Error;
  p.condition = "bad-request";
  EXPECT_EQ(encode(p), "T77:4:from,6:client,2:id,1:1,3:seq,1:0#4:type,5:error,9:condition,11:bad-request,}");
}

TEST(ZhttpEncode, HandlerResponse) {
  // What a handler (e.g. zedge-hello-handler) publishes.
  Packet p = with_id("0-0-0", 0);
  p.from = "hello-handler";
  p.code = 200;
  p.reason = "OK";
  p.headers.push_back({"Content-Type", "text/plain"});
  p.body = "hello world\n";
  EXPECT_EQ(encode(p),
            "T145:4:from,13:hello-handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,"
            "7:headers,34:30:12:Content-Type,10:text/plain,]]4:body,12:hello world\n,}");
}

TEST(ZhttpEncode, AppendsToOutput) {
  Packet p = with_id("a", std::nullopt);
  std::string out = "condure ";
  encode(p, out);
  EXPECT_EQ(out, "condure T9:2:id,1:a,}");
}

TEST(ZhttpEncode, UnsetFieldsAreOmitted) {
  Packet p;
  EXPECT_EQ(encode(p), "T0:}");
  p = with_id("a", std::nullopt);
  p.more = false;
  p.stream = false;
  p.body = "";
  EXPECT_EQ(encode(p), "T9:2:id,1:a,}");
}

TEST(ZhttpEncode, EmptyHeadersAndBodyAreNeverWritten) {
  // As in Condure: "headers:[]" and "body:''" are dropped even when parse() saw them.
  Packet p;
  ASSERT_EQ(parse("T32:2:id,1:a,7:headers,0:]4:body,0:,}", p), ParseError::None);
  EXPECT_TRUE(p.has_headers);
  EXPECT_TRUE(p.has_body);
  EXPECT_EQ(encode(p), "T9:2:id,1:a,}");
}

TEST(ZhttpEncode, EveryPacketType) {
  struct Case {
    PacketType type;
    std::string_view expected;
  };
  const Case cases[] = {
      {PacketType::Data, "T19:2:id,1:a,3:seq,1:3#}"},
      {PacketType::Error, "T34:2:id,1:a,3:seq,1:3#4:type,5:error,}"},
      {PacketType::Credit, "T35:2:id,1:a,3:seq,1:3#4:type,6:credit,}"},
      {PacketType::KeepAlive, "T40:2:id,1:a,3:seq,1:3#4:type,10:keep-alive,}"},
      {PacketType::Cancel, "T35:2:id,1:a,3:seq,1:3#4:type,6:cancel,}"},
      {PacketType::HandoffStart, "T43:2:id,1:a,3:seq,1:3#4:type,13:handoff-start,}"},
      {PacketType::HandoffProceed, "T45:2:id,1:a,3:seq,1:3#4:type,15:handoff-proceed,}"},
      {PacketType::Close, "T34:2:id,1:a,3:seq,1:3#4:type,5:close,}"},
      {PacketType::Ping, "T33:2:id,1:a,3:seq,1:3#4:type,4:ping,}"},
      {PacketType::Pong, "T33:2:id,1:a,3:seq,1:3#4:type,4:pong,}"},
  };
  for (const Case& c : cases) {
    Packet p = with_id("a", 3);
    p.type = c.type;
    EXPECT_EQ(encode(p), c.expected) << type_name(c.type);
  }
}

TEST(ZhttpEncode, CreditWithZeroCredits) {
  // A credit packet always carries its count, even 0 (Condure writes it unconditionally).
  Packet p = with_id("a", 1);
  p.type = PacketType::Credit;
  p.credits = 0;
  EXPECT_EQ(encode(p), "T49:2:id,1:a,3:seq,1:1#4:type,6:credit,7:credits,1:0#}");
}

TEST(ZhttpEncode, CloseWithCodeAndReason) {
  Packet p = with_id("a", 2);
  p.type = PacketType::Close;
  p.code = 1000;
  p.body = "bye";
  EXPECT_EQ(encode(p), "T61:2:id,1:a,3:seq,1:2#4:type,5:close,4:code,4:1000#4:body,3:bye,}");
}

TEST(ZhttpEncode, RejectedError) {
  // condition comes before the response fields (Condure 1.10 ResponseErrorData order).
  Packet p = with_id("a", 0);
  p.type = PacketType::Error;
  p.condition = "rejected";
  p.code = 403;
  p.reason = "Forbidden";
  p.headers.push_back({"X-Ok", "1"});
  p.body = "nope\n";
  EXPECT_EQ(encode(p),
            "T135:2:id,1:a,3:seq,1:0#4:type,5:error,9:condition,8:rejected,4:code,3:403#"
            "6:reason,9:Forbidden,7:headers,15:11:4:X-Ok,1:1,]]4:body,5:nope\n,}");
}

TEST(ZhttpEncode, WebSocketData) {
  Packet p = with_id("a", 4);
  p.content_type = "binary";
  p.body = "\x00\x01"sv;
  p.more = true;
  EXPECT_EQ(encode(p), "T70:2:id,1:a,3:seq,1:4#12:content-type,6:binary,4:body,2:\x00\x01,4:more,4:true!}"sv);
}

TEST(ZhttpEncode, MultiIdList) {
  Packet p;
  p.from = "condure";
  p.ids = {{"0-0-7", 2}, {"0-1-8", 2}};
  p.ext_multi = true;
  p.type = PacketType::KeepAlive;
  EXPECT_EQ(encode(p),
            "T126:4:from,7:condure,2:id,54:23:2:id,5:0-0-7,3:seq,1:2#}23:2:id,5:0-1-8,3:seq,1:2#}]"
            "3:ext,15:5:multi,4:true!}4:type,10:keep-alive,}");
}

TEST(ZhttpEncode, SingleIdListOnlyWhenAsked) {
  Packet p = with_id("a", 0);
  EXPECT_EQ(encode(p), "T19:2:id,1:a,3:seq,1:0#}");
  p.id_is_list = true;
  EXPECT_EQ(encode(p), "T32:2:id,23:19:2:id,1:a,3:seq,1:0#}]}");
  p.ids[0].seq.reset();
  EXPECT_EQ(encode(p), "T21:2:id,12:9:2:id,1:a,}]}");
}

TEST(ZhttpEncode, FullFieldOrder) {
  // Every field set at once shows the complete order (a packet no peer sends, but the
  // order of each real packet is a subsequence of it).
  Packet p = with_id("i", 0);
  p.from = "f";
  p.ext_multi = true;
  p.type = PacketType::Data;
  p.method = "GET";
  p.uri = "u";
  p.code = 200;
  p.reason = "OK";
  p.headers.push_back({"h", "v"});
  p.content_type = "text";
  p.body = "b";
  p.credits = 8192;
  p.more = true;
  p.stream = true;
  p.peer_address = "127.0.0.1";
  p.peer_port = 1;
  EXPECT_EQ(encode(p),
            "T257:4:from,1:f,2:id,1:i,3:seq,1:0#3:ext,15:5:multi,4:true!}6:method,3:GET,"
            "3:uri,1:u,4:code,3:200#6:reason,2:OK,7:headers,11:8:1:h,1:v,]]"
            "12:content-type,4:text,4:body,1:b,7:credits,4:8192#4:more,4:true!"
            "6:stream,4:true!12:peer-address,9:127.0.0.1,9:peer-port,1:1#}");
}

TEST(ZhttpEncode, RoundTripParseEncode) {
  const std::string_view frames[] = {
      "T161:4:from,6:client,2:id,1:1,3:seq,1:0#6:method,4:POST,3:uri,23:http://example.com/path,"
      "7:headers,34:30:12:Content-Type,10:text/plain,]]4:body,5:hello,4:more,4:true!}",
      "T77:4:from,6:client,2:id,1:1,3:seq,1:0#4:type,5:error,9:condition,11:bad-request,}",
      "T126:4:from,7:condure,2:id,54:23:2:id,5:0-0-7,3:seq,1:2#}23:2:id,5:0-1-8,3:seq,1:2#}]"
      "3:ext,15:5:multi,4:true!}4:type,10:keep-alive,}",
      "T32:2:id,23:19:2:id,1:a,3:seq,1:0#}]}",
      "T61:2:id,1:a,3:seq,1:2#4:type,5:close,4:code,4:1000#4:body,3:bye,}",
  };
  for (std::string_view frame : frames) {
    Packet p;
    ASSERT_EQ(parse(frame, p), ParseError::None) << frame;
    EXPECT_EQ(encode(p), frame);
  }
}

TEST(ZhttpEncode, RoundTripEncodeParse) {
  Packet p = with_id("1-2-3", 9);
  p.from = "handler";
  p.code = 101;
  p.reason = "Switching Protocols";
  p.headers = {{"Sec-WebSocket-Protocol", "chat"}, {"X-Bin", "\x01\x00"sv}};
  p.credits = 200000;
  const std::string frame = encode(p);
  Packet q;
  ASSERT_EQ(parse(frame, q), ParseError::None);
  EXPECT_EQ(q.from, p.from);
  EXPECT_EQ(q.ids, p.ids);
  EXPECT_EQ(q.code, p.code);
  EXPECT_EQ(q.reason, p.reason);
  EXPECT_EQ(q.headers, p.headers);
  EXPECT_EQ(q.credits, p.credits);
  EXPECT_EQ(encode(q), frame);
}

}  // namespace
}  // namespace zedge::zhttp
