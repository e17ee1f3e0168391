// Golden vectors: the exact frames Debian's condure 1.9.1 sent to a handler, captured
// on loopback (condure --listen 127.0.0.1:18000,stream --listen 127.0.0.1:18001,req,
// curl 7.88.1 as the client, a pyzmq handler recording every frame). zedge must
// produce these bytes from the same fields, so each test builds the Packet the way
// zedge's server does and compares encode() with the capture, then parses it back.
#include <gtest/gtest.h>

#include <string>

#include "zhttp/packet.hpp"

namespace zedge::zhttp {
namespace {

// Condure's common prefix: from its --id, one id with seq, ext.multi on every packet.
Packet from_condure(std::string_view id, std::optional<std::int64_t> seq) {
  Packet p;
  p.from = "condure";
  p.ids.push_back(IdSeq{id, seq});
  p.ext_multi = true;
  return p;
}

void add_curl_headers(Packet& p, std::string_view host) {
  p.headers.push_back({"Host", host});
  p.headers.push_back({"User-Agent", "curl/7.88.1"});
  p.headers.push_back({"Accept", "*/*"});
}

void expect_round_trip(std::string_view captured) {
  Packet parsed;
  ASSERT_EQ(parse(captured, parsed), ParseError::None);
  EXPECT_EQ(encode(parsed), captured);
}

// `curl http://127.0.0.1:18000/hello`: first packet (PUSH), no body.
constexpr std::string_view kStreamGet =
    "T295:4:from,7:condure,2:id,5:0-0-0,3:seq,1:0#3:ext,15:5:multi,4:true!}6:method,3:GET,"
    "3:uri,28:http://127.0.0.1:18000/hello,7:headers,82:26:4:Host,15:127.0.0.1:18000,]"
    "29:10:User-Agent,11:curl/7.88.1,]15:6:Accept,3:*/*,]]7:credits,4:8192#"
    "6:stream,4:true!12:peer-address,9:127.0.0.1,9:peer-port,5:56994#}";

TEST(CondureGolden, StreamRequestWithoutBody) {
  Packet p = from_condure("0-0-0", 0);
  p.method = "GET";
  p.uri = "http://127.0.0.1:18000/hello";
  add_curl_headers(p, "127.0.0.1:18000");
  p.credits = 8192;
  p.stream = true;
  p.peer_address = "127.0.0.1";
  p.peer_port = 56994;
  EXPECT_EQ(encode(p), kStreamGet);
  expect_round_trip(kStreamGet);
}

// `curl -d name=zedge http://127.0.0.1:18000/post`: "more" sits between "credits"
// and "stream".
constexpr std::string_view kStreamPostHead =
    "T394:4:from,7:condure,2:id,5:1-0-0,3:seq,1:0#3:ext,15:5:multi,4:true!}6:method,4:POST,"
    "3:uri,27:http://127.0.0.1:18000/post,7:headers,166:26:4:Host,15:127.0.0.1:18000,]"
    "29:10:User-Agent,11:curl/7.88.1,]15:6:Accept,3:*/*,]23:14:Content-Length,2:10,]"
    "53:12:Content-Type,33:application/x-www-form-urlencoded,]]7:credits,4:8192#"
    "4:more,4:true!6:stream,4:true!12:peer-address,9:127.0.0.1,9:peer-port,5:56996#}";

TEST(CondureGolden, StreamRequestWithBody) {
  Packet p = from_condure("1-0-0", 0);
  p.method = "POST";
  p.uri = "http://127.0.0.1:18000/post";
  add_curl_headers(p, "127.0.0.1:18000");
  p.headers.push_back({"Content-Length", "10"});
  p.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
  p.credits = 8192;
  p.more = true;
  p.stream = true;
  p.peer_address = "127.0.0.1";
  p.peer_port = 56996;
  EXPECT_EQ(encode(p), kStreamPostHead);
  expect_round_trip(kStreamPostHead);
}

// The body of that POST (ROUTER), after the handler granted credits: one packet,
// no "more" because it is the last.
constexpr std::string_view kBodyLast =
    "T86:4:from,7:condure,2:id,5:1-0-0,3:seq,1:1#3:ext,15:5:multi,4:true!}4:body,10:name=zedge,}";

TEST(CondureGolden, BodyPacketLast) {
  Packet p = from_condure("1-0-0", 1);
  p.body = "name=zedge";
  EXPECT_EQ(encode(p), kBodyLast);
  expect_round_trip(kBodyLast);
}

// `curl -H 'Transfer-Encoding: chunked' --data-binary abcdef …/chunked`: the first packet,
// a body packet with "more", then an empty last packet.
constexpr std::string_view kChunkedHead =
    "T405:4:from,7:condure,2:id,5:0-0-2,3:seq,1:0#3:ext,15:5:multi,4:true!}6:method,4:POST,"
    "3:uri,30:http://127.0.0.1:18000/chunked,7:headers,174:26:4:Host,15:127.0.0.1:18000,]"
    "29:10:User-Agent,11:curl/7.88.1,]15:6:Accept,3:*/*,]31:17:Transfer-Encoding,7:chunked,]"
    "53:12:Content-Type,33:application/x-www-form-urlencoded,]]7:credits,4:8192#"
    "4:more,4:true!6:stream,4:true!12:peer-address,9:127.0.0.1,9:peer-port,5:57000#}";
constexpr std::string_view kBodyMore =
    "T95:4:from,7:condure,2:id,5:0-0-2,3:seq,1:1#3:ext,15:5:multi,4:true!}4:body,6:abcdef,"
    "4:more,4:true!}";
constexpr std::string_view kBodyEmptyLast = "T65:4:from,7:condure,2:id,5:0-0-2,3:seq,1:2#3:ext,15:5:multi,4:true!}}";

TEST(CondureGolden, ChunkedUpload) {
  Packet head = from_condure("0-0-2", 0);
  head.method = "POST";
  head.uri = "http://127.0.0.1:18000/chunked";
  add_curl_headers(head, "127.0.0.1:18000");
  head.headers.push_back({"Transfer-Encoding", "chunked"});
  head.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
  head.credits = 8192;
  head.more = true;
  head.stream = true;
  head.peer_address = "127.0.0.1";
  head.peer_port = 57000;
  EXPECT_EQ(encode(head), kChunkedHead);

  Packet body = from_condure("0-0-2", 1);
  body.body = "abcdef";
  body.more = true;
  EXPECT_EQ(encode(body), kBodyMore);

  // The terminating packet has neither body nor more.
  Packet last = from_condure("0-0-2", 2);
  EXPECT_EQ(encode(last), kBodyEmptyLast);

  expect_round_trip(kChunkedHead);
  expect_round_trip(kBodyMore);
  expect_round_trip(kBodyEmptyLast);
}

// Credits returned as response bytes reach the client (`/stream`: 6, 7, 7, 7 bytes).
constexpr std::string_view kCredit =
    "T95:4:from,7:condure,2:id,5:1-0-2,3:seq,1:1#3:ext,15:5:multi,4:true!}4:type,6:credit,"
    "7:credits,1:6#}";

TEST(CondureGolden, Credit) {
  Packet p = from_condure("1-0-2", 1);
  p.type = PacketType::Credit;
  p.credits = 6;
  EXPECT_EQ(encode(p), kCredit);
  expect_round_trip(kCredit);
}

// Keep-alive after ~45 s: one id per worker gives the string form; two sessions on the
// same worker give one multi-id packet with a seq per id.
constexpr std::string_view kKeepAliveSingle =
    "T86:4:from,7:condure,2:id,5:1-0-6,3:seq,1:2#3:ext,15:5:multi,4:true!}4:type,10:keep-alive,}";
constexpr std::string_view kKeepAliveMulti =
    "T126:4:from,7:condure,2:id,54:23:2:id,5:0-0-7,3:seq,1:2#}23:2:id,5:0-1-8,3:seq,1:2#}]"
    "3:ext,15:5:multi,4:true!}4:type,10:keep-alive,}";

TEST(CondureGolden, KeepAlive) {
  Packet single = from_condure("1-0-6", 2);
  single.type = PacketType::KeepAlive;
  EXPECT_EQ(encode(single), kKeepAliveSingle);

  Packet multi;
  multi.from = "condure";
  multi.ids = {{"0-0-7", 2}, {"0-1-8", 2}};
  multi.ext_multi = true;
  multi.type = PacketType::KeepAlive;
  EXPECT_EQ(encode(multi), kKeepAliveMulti);

  expect_round_trip(kKeepAliveSingle);
  expect_round_trip(kKeepAliveMulti);
}

// Cancel when the client disconnects; the multi-id form was sent at SIGTERM for the
// sessions still open on one worker.
constexpr std::string_view kCancel =
    "T81:4:from,7:condure,2:id,5:1-0-6,3:seq,1:3#3:ext,15:5:multi,4:true!}4:type,6:cancel,}";
constexpr std::string_view kCancelMulti =
    "T121:4:from,7:condure,2:id,54:23:2:id,5:1-0-7,3:seq,1:3#}23:2:id,5:1-1-8,3:seq,1:3#}]"
    "3:ext,15:5:multi,4:true!}4:type,6:cancel,}";

TEST(CondureGolden, Cancel) {
  Packet single = from_condure("1-0-6", 3);
  single.type = PacketType::Cancel;
  EXPECT_EQ(encode(single), kCancel);

  Packet multi;
  multi.from = "condure";
  multi.ids = {{"1-0-7", 3}, {"1-1-8", 3}};
  multi.ext_multi = true;
  multi.type = PacketType::Cancel;
  EXPECT_EQ(encode(multi), kCancelMulti);

  expect_round_trip(kCancel);
  expect_round_trip(kCancelMulti);
}

// Req mode (DEALER → ROUTER, third frame): no from, no seq, no credits/stream/more;
// the whole body inline.
constexpr std::string_view kReqGet =
    "T238:2:id,5:0-0-4,3:ext,15:5:multi,4:true!}6:method,3:GET,"
    "3:uri,31:http://127.0.0.1:18001/reqhello,7:headers,82:26:4:Host,15:127.0.0.1:18001,]"
    "29:10:User-Agent,11:curl/7.88.1,]15:6:Accept,3:*/*,]]12:peer-address,9:127.0.0.1,"
    "9:peer-port,5:51206#}";
constexpr std::string_view kReqPost =
    "T335:2:id,5:1-0-4,3:ext,15:5:multi,4:true!}6:method,4:POST,"
    "3:uri,30:http://127.0.0.1:18001/reqpost,7:headers,165:26:4:Host,15:127.0.0.1:18001,]"
    "29:10:User-Agent,11:curl/7.88.1,]15:6:Accept,3:*/*,]22:14:Content-Length,1:3,]"
    "53:12:Content-Type,33:application/x-www-form-urlencoded,]]4:body,3:xyz,"
    "12:peer-address,9:127.0.0.1,9:peer-port,5:51212#}";

TEST(CondureGolden, ReqModeRequest) {
  Packet get;
  get.ids.push_back(IdSeq{"0-0-4", std::nullopt});
  get.ext_multi = true;
  get.method = "GET";
  get.uri = "http://127.0.0.1:18001/reqhello";
  add_curl_headers(get, "127.0.0.1:18001");
  get.peer_address = "127.0.0.1";
  get.peer_port = 51206;
  EXPECT_EQ(encode(get), kReqGet);

  Packet post;
  post.ids.push_back(IdSeq{"1-0-4", std::nullopt});
  post.ext_multi = true;
  post.method = "POST";
  post.uri = "http://127.0.0.1:18001/reqpost";
  add_curl_headers(post, "127.0.0.1:18001");
  post.headers.push_back({"Content-Length", "3"});
  post.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
  post.body = "xyz";
  post.peer_address = "127.0.0.1";
  post.peer_port = 51212;
  EXPECT_EQ(encode(post), kReqPost);

  expect_round_trip(kReqGet);
  expect_round_trip(kReqPost);
}

TEST(CondureGolden, ParsedFieldsOfTheCaptures) {
  Packet p;
  ASSERT_EQ(parse(kStreamPostHead, p), ParseError::None);
  EXPECT_EQ(p.from, "condure");
  EXPECT_EQ(p.id(), "1-0-0");
  EXPECT_EQ(p.seq(), 0);
  EXPECT_TRUE(p.ext_multi);
  EXPECT_EQ(p.method, "POST");
  ASSERT_EQ(p.headers.size(), 5u);
  EXPECT_EQ(p.headers[3], (Header{"Content-Length", "10"}));
  EXPECT_EQ(p.credits, 8192);
  EXPECT_TRUE(p.more);
  EXPECT_TRUE(p.stream);
  EXPECT_EQ(p.peer_port, 56996);

  ASSERT_EQ(parse(kReqGet, p), ParseError::None);
  EXPECT_TRUE(p.from.empty());
  EXPECT_EQ(p.seq(), std::nullopt);
  EXPECT_FALSE(p.stream);
  EXPECT_FALSE(p.credits.has_value());
}

}  // namespace
}  // namespace zedge::zhttp
