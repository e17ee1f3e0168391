// WebSocket sessions: the upgrade and the handler's
// answer, frames to packets and back with credits, the close handshake both ways, RFC 6455
// strictness toward the client, --messages-max, timers and handoff. The 101 head and every
// frame are compared byte for byte; packets are compared field by field after parsing
// (their byte layout is zhttp's encoder, tested in tests/pkg/zhttp).
#include <initializer_list>
#include <optional>

#include "session_fixture.hpp"

namespace zedge::session::testing {
namespace {

constexpr std::string_view kUpgrade =
    "GET /ws HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
constexpr std::string_view kAcceptHead =
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";

enum Op : std::uint8_t { kCont = 0, kText = 1, kBinary = 2, kClose = 8, kPing = 9, kPong = 10 };

// A client frame: masked (unless told otherwise) with a fixed key, shortest length form.
std::string frame(std::uint8_t opcode, std::string_view payload, bool fin = true, bool masked = true,
                  std::uint8_t rsv = 0) {
  std::string out;
  out.push_back(static_cast<char>((fin ? 0x80 : 0) | (rsv << 4) | opcode));
  const std::uint8_t mask_bit = masked ? 0x80 : 0;
  if (payload.size() < 126) {
    out.push_back(static_cast<char>(mask_bit | payload.size()));
  } else if (payload.size() <= 0xFFFF) {
    out.push_back(static_cast<char>(mask_bit | 126));
    out.push_back(static_cast<char>(payload.size() >> 8));
    out.push_back(static_cast<char>(payload.size() & 0xFF));
  } else {
    out.push_back(static_cast<char>(mask_bit | 127));
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((payload.size() >> shift) & 0xFF));
  }
  const char key[4] = {0x12, 0x34, 0x56, 0x78};
  if (masked) out.append(key, 4);
  for (std::size_t i = 0; i < payload.size(); ++i) {
    out.push_back(masked ? static_cast<char>(payload[i] ^ key[i % 4]) : payload[i]);
  }
  return out;
}

// A server frame as the client receives it: unmasked.
std::string server_frame(std::uint8_t opcode, std::string_view payload, bool fin = true) {
  return frame(opcode, payload, fin, false);
}

std::string close_payload(std::uint16_t code, std::string_view reason = {}) {
  std::string p;
  p.push_back(static_cast<char>(code >> 8));
  p.push_back(static_cast<char>(code & 0xFF));
  p.append(reason);
  return p;
}

// What a packet to the handler says, in one line: "<seq> <type> [fields]".
std::string describe(const Sent& s) {
  zhttp::Packet p;
  if (zhttp::parse(s.frame, p) != zhttp::ParseError::None) return "unparsable: " + s.frame;
  std::string out = std::to_string(p.seq().value_or(-1)) + " ";
  out += p.type == zhttp::PacketType::Data ? std::string("data") : std::string(zhttp::type_name(p.type));
  if (!p.content_type.empty()) out += " " + std::string(p.content_type);
  if (p.code) out += " code=" + std::to_string(*p.code);
  if (p.credits) out += " credits=" + std::to_string(*p.credits);
  if (p.has_body) out += " body=" + std::string(p.body);
  if (p.more) out += " more";
  if (s.route != Route::StreamReply || s.address != "handler") out += " (not to the handler)";
  return out;
}

class WebSocket : public SessionTest {
 protected:
  // Handler packet for session 0-0-0 with the next seq; `fill` sets the rest.
  template <typename Fill>
  void from_handler(Fill fill) {
    zhttp::Packet p;
    p.from = "handler";
    p.ids.push_back({"0-0-0", handler_seq_++});
    fill(p);
    handler(zhttp::encode(p));
  }
  void handler_data(std::string_view body, bool binary = false, bool more = false) {
    from_handler([&](zhttp::Packet& p) {
      p.content_type = binary ? "binary" : "text";
      p.body = body;
      p.more = more;
    });
  }
  void handler_type(zhttp::PacketType type, std::string_view body = {}, std::optional<std::int64_t> code = {}) {
    from_handler([&](zhttp::Packet& p) {
      p.type = type;
      p.body = body;
      p.code = code;
    });
  }
  void handler_credits(std::int64_t credits) {
    from_handler([&](zhttp::Packet& p) {
      p.type = zhttp::PacketType::Credit;
      p.credits = credits;
    });
  }

  // Upgrade, the handler accepts with `credits`, the 101 goes out.
  void open(std::int64_t credits = 8192) {
    start();
    client(kUpgrade);
    sent();
    from_handler([&](zhttp::Packet& p) {
      p.code = 101;
      p.reason = "Switching Protocols";
      p.credits = credits;
    });
    ASSERT_EQ(write(), kAcceptHead);
    ASSERT_TRUE(session().is_websocket());
    sent();
  }

  std::vector<std::string> described() {
    std::vector<std::string> out;
    for (const Sent& s : sent()) out.push_back(describe(s));
    return out;
  }

  using Lines = std::vector<std::string>;
  std::int64_t handler_seq_ = 0;
};

// ---------------------------------------------------------------- the upgrade

TEST_F(WebSocket, UpgradeGoesToTheHandlerWithWsUriAndNoStreamOrMore) {
  start();
  client(kUpgrade);
  EXPECT_EQ(
      sent(),
      (std::vector<Sent>{push("T356:4:from,7:condure,2:id,5:0-0-0,3:seq,1:0#3:ext,15:5:multi,4:true!}"
                              "6:method,3:GET,3:uri,19:ws://example.com/ws,7:headers,167:"
                              "22:4:Host,11:example.com,]22:7:Upgrade,9:websocket,]24:10:Connection,7:Upgrade,]"
                              "49:17:Sec-WebSocket-Key,24:dGhlIHNhbXBsZSBub25jZQ==,]30:21:Sec-WebSocket-Version,2:13,]]"
                              "7:credits,4:8192#12:peer-address,9:127.0.0.1,9:peer-port,5:40000#}")}));
  EXPECT_FALSE(session().has_output());
  EXPECT_TRUE(session().wants_keepalive() == false);  // no handler known yet
}

TEST_F(WebSocket, InvalidUpgradesGet400AndNoPacket) {
  const std::initializer_list<std::pair<std::string_view, std::string_view>> cases = {
      {"POST /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nSec-WebSocket-Key: k\r\n"
       "Sec-WebSocket-Version: 13\r\nContent-Length: 0\r\n\r\n",
       "WebSocket upgrade requires the GET method\n"},
      {"GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n",
       "missing Sec-WebSocket-Key\n"},
      {"GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nSec-WebSocket-Key: k\r\n"
       "Sec-WebSocket-Version: 8\r\n\r\n",
       "unsupported Sec-WebSocket-Version (only 13)\n"},
      {"GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nSec-WebSocket-Key: k\r\n"
       "Sec-WebSocket-Version: 13\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
       "WebSocket upgrade request must not have a body\n"},
      {"GET /ws HTTP/1.0\r\nHost: a\r\nUpgrade: websocket\r\nSec-WebSocket-Key: k\r\n"
       "Sec-WebSocket-Version: 13\r\n\r\n",
       "WebSocket upgrade requires HTTP/1.1\n"},
  };
  for (const auto& [request, body] : cases) {
    start();
    client(request);
    const std::string out = write();
    EXPECT_TRUE(out.starts_with(request.find("HTTP/1.0") != std::string_view::npos ? "HTTP/1.0 400 Bad Request\r\n"
                                                                                   : "HTTP/1.1 400 Bad Request\r\n"))
        << out;
    EXPECT_TRUE(out.ends_with(body)) << out;
    EXPECT_TRUE(session().closed());
    EXPECT_EQ(session().close_reason(), CloseReason::ClientError);
    EXPECT_EQ(sent(), std::vector<Sent>{});
  }
}

TEST_F(WebSocket, AcceptWritesTheHandlersHeadersThenTheUpgradeFields) {
  start();
  client(kUpgrade);
  sent();
  from_handler([](zhttp::Packet& p) {
    p.code = 101;
    p.reason = "Switching Protocols";
    // Condure drops the handler's Upgrade/Connection/Accept/Extensions and writes its own.
    p.headers = {{"X-Test", "1"},
                 {"Upgrade", "nope"},
                 {"Sec-WebSocket-Protocol", "chat"},
                 {"Sec-WebSocket-Accept", "forged"},
                 {"connection", "close"}};
    p.credits = 100;
  });
  EXPECT_EQ(write(),
            "HTTP/1.1 101 Switching Protocols\r\nX-Test: 1\r\nSec-WebSocket-Protocol: chat\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
  EXPECT_TRUE(session().is_websocket());
  EXPECT_FALSE(session().closed());
  EXPECT_TRUE(session().wants_keepalive());
  EXPECT_EQ(session().request_id(), "0-0-0");
}

TEST_F(WebSocket, RejectionIsAPlainResponseThenClose) {
  start();
  client(kUpgrade);
  sent();
  from_handler([](zhttp::Packet& p) {
    p.type = zhttp::PacketType::Error;
    p.condition = "rejected";
    p.code = 403;
    p.reason = "Forbidden";
    p.headers = {{"Content-Type", "text/plain"}, {"Upgrade", "websocket"}};
    p.body = "nope\n";
  });
  EXPECT_FALSE(session().closed());  // until the response is written
  EXPECT_EQ(write(), "HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nnope\n");
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::Rejected);
  EXPECT_FALSE(session().is_websocket());
  EXPECT_EQ(sent(), std::vector<Sent>{});
}

TEST_F(WebSocket, ANon101DataAnswerIsSentAsAPlainResponse) {
  start();
  client(kUpgrade);
  sent();
  from_handler([](zhttp::Packet& p) {
    p.code = 404;
    p.reason = "Not Found";
    p.body = "no\n";
  });
  EXPECT_EQ(write(), "HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nno\n");
  EXPECT_TRUE(session().closed());
  EXPECT_FALSE(session().is_websocket());
}

TEST_F(WebSocket, OtherErrorsAndCancelCloseWithoutWriting) {
  for (const auto type : {zhttp::PacketType::Error, zhttp::PacketType::Cancel}) {
    start();
    handler_seq_ = 0;
    client(kUpgrade);
    sent();
    handler_type(type);
    EXPECT_TRUE(session().closed());
    EXPECT_EQ(session().close_reason(), CloseReason::HandlerEnded);
    EXPECT_FALSE(session().has_output());
    EXPECT_EQ(sent(), std::vector<Sent>{});
  }
}

TEST_F(WebSocket, FramesSentBeforeTheAcceptWaitUnread) {
  start();
  client(std::string(kUpgrade) + frame(kText, "early"));
  sent();
  EXPECT_EQ(unconsumed(), frame(kText, "early"));
  from_handler([](zhttp::Packet& p) {
    p.code = 101;
    p.credits = 1000;
  });
  EXPECT_EQ(described(), (Lines{"1 data text body=early"}));
  EXPECT_EQ(unconsumed(), "");
}

TEST_F(WebSocket, NoCreditsInTheAcceptMeansABuffersWorth) {
  settings_.buffer_size_bytes = 200;
  open(0);
  client(frame(kBinary, std::string(300, 'x')));
  EXPECT_EQ(described(), (Lines{"1 data binary body=" + std::string(200, 'x') + " more"}));
}

// ---------------------------------------------------------------- frames and packets

TEST_F(WebSocket, TextAndBinaryEchoWithCreditsBack) {
  open();
  client(frame(kText, "héllo"));
  client(frame(kBinary, std::string("\x00\x01\x02", 3)));
  EXPECT_EQ(described(), (Lines{"1 data text body=héllo", std::string("2 data binary body=\x00\x01\x02", 22)}));
  handler_data("héllo");
  handler_data(std::string("\x00\x01\x02", 3), true);
  EXPECT_EQ(write(), server_frame(kText, "héllo") + server_frame(kBinary, std::string("\x00\x01\x02", 3)));
  // The handler's bytes reached the client: its credits come back, batched until a
  // quarter buffer or the next sweep tick.
  EXPECT_EQ(described(), (Lines{}));
  tick();
  EXPECT_EQ(described(), (Lines{"3 credit credits=9"}));
}

TEST_F(WebSocket, EmptyMessagesGoThrough) {
  open();
  client(frame(kText, ""));
  EXPECT_EQ(described(), (Lines{"1 data text"}));
  handler_data("");
  EXPECT_EQ(write(), server_frame(kText, ""));
  EXPECT_EQ(described(), (Lines{}));  // nothing to return
}

TEST_F(WebSocket, FragmentsBecomePacketsWithMoreAndBack) {
  open();
  client(frame(kText, "fra", false) + frame(kCont, "gm", false) + frame(kCont, "", false) + frame(kCont, "ent"));
  // An empty piece that does not end the message is not sent (as Condure).
  EXPECT_EQ(described(), (Lines{"1 data text body=fra more", "2 data text body=gm more", "3 data text body=ent"}));
  handler_data("fra", false, true);
  handler_data("gm", true, true);  // content-type of later packets does not matter
  handler_data("ent");
  EXPECT_EQ(write(), server_frame(kText, "fra", false) + server_frame(kCont, "gm", false) + server_frame(kCont, "ent"));
}

TEST_F(WebSocket, ClientDataIsSplitByCreditsAndWaitsForMore) {
  open(4);
  client(frame(kText, "0123456789"));
  EXPECT_EQ(described(), (Lines{"1 data text body=0123 more"}));
  client(frame(kPing, "p"));  // behind the waiting data: order is kept
  EXPECT_EQ(described(), (Lines{}));
  handler_credits(3);
  EXPECT_EQ(described(), (Lines{"2 data text body=456 more"}));
  handler_credits(100);
  EXPECT_EQ(described(), (Lines{"3 data text body=789", "4 ping body=p"}));
}

TEST_F(WebSocket, AtMostABufferWaitsForCreditsTheRestStaysUnread) {
  settings_.buffer_size_bytes = 200;
  open(1);
  const std::string big = frame(kBinary, std::string(1000, 'x'));
  client(big);
  EXPECT_EQ(described(), (Lines{"1 data binary body=x more"}));
  EXPECT_GE(unconsumed().size(), big.size() - 8 - 200 - 1);  // header, a buffer, the byte sent
  handler_credits(1000);
  EXPECT_EQ(unconsumed(), "");
  std::string body;
  for (const Sent& s : sent()) {
    zhttp::Packet p;
    ASSERT_EQ(zhttp::parse(s.frame, p), zhttp::ParseError::None);
    body += p.body;
  }
  EXPECT_EQ(body, std::string(999, 'x'));
}

TEST_F(WebSocket, AFrameSplitAtEveryByteArrivesWhole) {
  const std::string message = "split me anywhere: ünïcödé";
  const std::string bytes =
      frame(kText, message.substr(0, 10), false) + frame(kPing, "p") + frame(kCont, message.substr(10));
  for (std::size_t cut = 0; cut <= bytes.size(); ++cut) {
    handler_seq_ = 0;
    open();
    client(bytes.substr(0, cut));
    client(bytes.substr(cut));
    std::string text;
    int pings = 0;
    bool ended = false;
    for (const Sent& s : sent()) {
      zhttp::Packet p;
      ASSERT_EQ(zhttp::parse(s.frame, p), zhttp::ParseError::None);
      if (p.type == zhttp::PacketType::Ping) {
        ++pings;
        continue;
      }
      ASSERT_FALSE(ended) << "data after the end of the message, cut at " << cut;
      text += p.body;
      ended = !p.more;
    }
    EXPECT_EQ(text, message) << "cut at " << cut;
    EXPECT_TRUE(ended) << "cut at " << cut;
    EXPECT_EQ(pings, 1) << "cut at " << cut;
    EXPECT_FALSE(session().closed()) << "cut at " << cut;
  }
}

TEST_F(WebSocket, PingAndPongPassThroughBothWays) {
  open();
  client(frame(kPing, "are you there") + frame(kPong, "unsolicited"));
  EXPECT_EQ(described(), (Lines{"1 ping body=are you there", "2 pong body=unsolicited"}));
  handler_type(zhttp::PacketType::Pong, "are you there");
  handler_type(zhttp::PacketType::Ping, "hb");
  EXPECT_EQ(write(), server_frame(kPong, "are you there") + server_frame(kPing, "hb"));
  tick();
  EXPECT_EQ(described(), (Lines{"3 credit credits=15"}));
}

TEST_F(WebSocket, APingBetweenFragmentsIsAllowed) {
  open();
  client(frame(kText, "ab", false) + frame(kPing, "p") + frame(kCont, "cd"));
  EXPECT_EQ(described(), (Lines{"1 data text body=ab more", "2 ping body=p", "3 data text body=cd"}));
}

// ---------------------------------------------------------------- close handshake

TEST_F(WebSocket, ClientClosesFirstThenTheHandler) {
  open();
  client(frame(kClose, close_payload(1000, "bye")) + frame(kText, "ignored after close"));
  EXPECT_EQ(described(), (Lines{"1 close code=1000 body=bye"}));
  EXPECT_EQ(unconsumed(), "");
  // The handler may still send data before its close.
  handler_data("last words");
  handler_type(zhttp::PacketType::Close, {}, 1000);
  EXPECT_FALSE(session().closed());
  EXPECT_EQ(write(), server_frame(kText, "last words") + server_frame(kClose, close_payload(1000)));
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::Done);
  EXPECT_EQ(described(), (Lines{}));  // no cancel, no credits after the close
}

TEST_F(WebSocket, EmptyCloseHasNoCodeAndTheHandlersDefaultsTo1000) {
  open();
  client(frame(kClose, ""));
  EXPECT_EQ(described(), (Lines{"1 close"}));
  handler_type(zhttp::PacketType::Close);
  EXPECT_EQ(write(), server_frame(kClose, close_payload(1000)));
  EXPECT_TRUE(session().closed());
}

TEST_F(WebSocket, HandlerGoneClosesWith1011AndTellsItNothing) {
  open();
  client(frame(kText, "anyone there?"));
  EXPECT_EQ(described(), (Lines{"1 data text body=anyone there?"}));
  session().on_handler_unreachable();
  EXPECT_EQ(write(), server_frame(kClose, close_payload(1011, "handler went away")));
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::HandlerGone);
  EXPECT_EQ(described(), (Lines{}));
}

TEST_F(WebSocket, HandlerClosesFirstThenTheClient) {
  open();
  handler_type(zhttp::PacketType::Close, "done", 4000);
  EXPECT_EQ(write(), server_frame(kClose, close_payload(4000, "done")));
  EXPECT_FALSE(session().closed());
  handler_data("after close");  // nothing goes out after our close frame
  EXPECT_FALSE(session().has_output());
  EXPECT_EQ(described(), (Lines{}));
  client(frame(kText, "still delivered") + frame(kClose, close_payload(4000, "ok")));
  EXPECT_EQ(described(), (Lines{"1 data text body=still delivered", "2 close code=4000 body=ok"}));
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::Done);
}

TEST_F(WebSocket, AnInvalidHandlerCloseCodeBecomes1011) {
  open();
  handler_type(zhttp::PacketType::Close, {}, 1005);
  EXPECT_EQ(write(), server_frame(kClose, close_payload(1011)));
}

TEST_F(WebSocket, ClientLeavingWithoutACloseCancelsTheSession) {
  open();
  client_closes();
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::ClientGone);
  EXPECT_EQ(described(), (Lines{"1 cancel"}));
}

TEST_F(WebSocket, ClientLeavingAfterItsCloseCancelsNothing) {
  open();
  client(frame(kClose, close_payload(1000)));
  sent();
  client_closes();
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(described(), (Lines{}));
}

TEST_F(WebSocket, HandlerCancelClosesAtOnce) {
  open();
  handler_type(zhttp::PacketType::Cancel);
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::HandlerEnded);
  EXPECT_EQ(described(), (Lines{}));
}

// ---------------------------------------------------------------- strictness

struct Violation {
  const char* name;
  std::string bytes;
  std::uint16_t code;
};

TEST_F(WebSocket, EachViolationClosesWithItsCodeAndCancelsTheHandler) {
  const std::vector<Violation> cases = {
      {"unmasked", frame(kText, "hi", true, false), 1002},
      {"rsv1 without deflate", frame(kText, "hi", true, true, 4), 1002},
      {"rsv2", frame(kText, "hi", true, true, 2), 1002},
      {"unknown opcode", frame(3, "hi"), 1002},
      {"fragmented ping", frame(kPing, "hi", false), 1002},
      {"long ping", frame(kPing, std::string(126, 'x')), 1002},
      {"continuation first", frame(kCont, "hi"), 1002},
      {"text inside a message", frame(kText, "a", false) + frame(kText, "b"), 1002},
      {"close 1005", frame(kClose, close_payload(1005)), 1002},
      {"close 999", frame(kClose, close_payload(999)), 1002},
      {"one-byte close", frame(kClose, "\x03"), 1002},
      {"bad utf-8", frame(kText, "\xc3\x28"), 1007},
      {"utf-8 split across fragments", frame(kText, "ok\xe2\x82", false) + frame(kCont, "\x28"), 1007},
      {"text ends inside a character", frame(kText, "ok\xe2\x82"), 1007},
      {"bad close reason", frame(kClose, close_payload(1000, "\xff")), 1007},
      {"too big", frame(kBinary, std::string(65, 'x')), 1009},
      {"too big across fragments", frame(kBinary, std::string(40, 'x'), false) + frame(kCont, std::string(40, 'y')),
       1009},
  };
  settings_.websocket_message_max_bytes = 64;
  for (const Violation& v : cases) {
    handler_seq_ = 0;
    open();
    client(v.bytes);
    const std::string out = write();
    ASSERT_GE(out.size(), 4U) << v.name;
    EXPECT_EQ(out.substr(0, 4).substr(0, 1), std::string(1, '\x88')) << v.name;
    EXPECT_EQ(out.substr(2, 2), close_payload(v.code)) << v.name;
    EXPECT_TRUE(session().closed()) << v.name;
    EXPECT_EQ(session().close_reason(), CloseReason::ClientError) << v.name;
    const Lines packets = described();
    ASSERT_FALSE(packets.empty()) << v.name;
    EXPECT_TRUE(packets.back().ends_with(" cancel")) << v.name << ": " << packets.back();
  }
}

// ---------------------------------------------------------------- limits toward the handler

TEST_F(WebSocket, HandlerOverrunningItsCreditsIsCancelled) {
  settings_.buffer_size_bytes = 200;
  open();
  handler_data(std::string(201, 'x'));
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::CreditOverrun);
  EXPECT_EQ(described(), (Lines{"1 cancel"}));
}

TEST_F(WebSocket, MessagesMaxBoundsWhatWaitsForASlowClient) {
  settings_.messages_max = 2;
  open();
  handler_type(zhttp::PacketType::Ping);
  handler_type(zhttp::PacketType::Ping);
  EXPECT_EQ(take(), server_frame(kPing, "") + server_frame(kPing, ""));  // a write in flight still counts
  EXPECT_FALSE(session().closed());
  handler_type(zhttp::PacketType::Ping);
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(described(), (Lines{"1 cancel"}));
}

TEST_F(WebSocket, WrittenMessagesMakeRoomUnderMessagesMax) {
  settings_.messages_max = 1;
  open();
  for (int i = 0; i < 5; ++i) {
    handler_data("m");
    EXPECT_EQ(write(), server_frame(kText, "m"));
  }
  EXPECT_FALSE(session().closed());
}

TEST_F(WebSocket, HandlerControlFrameOver125BytesIsAnError) {
  open();
  handler_type(zhttp::PacketType::Ping, std::string(126, 'x'));
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::ProtocolError);
}

TEST_F(WebSocket, BadSeqFromTheHandlerCloses) {
  open();
  handler_seq_ = 7;
  handler_data("x");
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::ProtocolError);
}

// ---------------------------------------------------------------- time and handoff

TEST_F(WebSocket, HandlerSilenceEndsTheSessionAndKeepAlivesAreWanted) {
  open();
  EXPECT_TRUE(session().wants_keepalive());
  EXPECT_EQ(session().handler_address(), "handler");
  advance(59s);
  tick();
  EXPECT_FALSE(session().closed());
  handler_type(zhttp::PacketType::KeepAlive);
  advance(59s);
  tick();
  EXPECT_FALSE(session().closed());
  advance(2s);
  tick();
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(session().close_reason(), CloseReason::SessionTimeout);
  EXPECT_EQ(described(), (Lines{}));
}

TEST_F(WebSocket, ClientSilenceHitsTheStreamTimeout) {
  settings_.stream_timeout = 10s;
  settings_.session_timeout = 100s;
  open();
  advance(11s);
  tick();
  EXPECT_EQ(session().close_reason(), CloseReason::ClientTimeout);
  EXPECT_EQ(described(), (Lines{"1 cancel"}));
}

TEST_F(WebSocket, HandoffPausesUntilTheNextOwnerSpeaks) {
  open();
  handler_data("before");
  handler_type(zhttp::PacketType::HandoffStart);
  EXPECT_EQ(described(), (Lines{}));
  EXPECT_EQ(write(), server_frame(kText, "before"));
  // Written before handoff-proceed: those credits still go to the old owner.
  EXPECT_EQ(described(), (Lines{"1 credit credits=6", "2 handoff-proceed"}));
  client(frame(kText, "held"));
  EXPECT_EQ(described(), (Lines{}));
  EXPECT_FALSE(session().wants_keepalive());
  from_handler([](zhttp::Packet& p) {
    p.from = "handler";
    p.type = zhttp::PacketType::KeepAlive;
  });
  EXPECT_EQ(described(), (Lines{"3 data text body=held"}));
}

TEST_F(WebSocket, ShutdownCancelsTheHandler) {
  open();
  session().shutdown();
  EXPECT_TRUE(session().closed());
  EXPECT_EQ(described(), (Lines{"1 cancel"}));
}

}  // namespace
}  // namespace zedge::session::testing

namespace zedge::session::testing {
namespace {

// ---------------------------------------------------------------- permessage-deflate

constexpr std::string_view kUpgradeWithDeflate =
    "GET /ws HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
    "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n";

class Compressed : public WebSocket {
 protected:
  std::string open_compressed() {
    start();
    client(kUpgradeWithDeflate);
    sent();
    from_handler([](zhttp::Packet& p) {
      p.code = 101;
      p.credits = 100000;
    });
    sent();
    return write();
  }
  // A client message compressed the way a client would (RFC 7692 §7.2.1).
  // The code of a server close frame at the start of `out` (0 if there is none).
  static int close_code_at(std::string_view out) {
    if (out.size() < 4 || static_cast<std::uint8_t>(out[0]) != 0x88) return 0;
    return static_cast<std::uint8_t>(out[2]) << 8 | static_cast<std::uint8_t>(out[3]);
  }
  static std::string deflated(std::string_view message) {
    websocket::MessageDeflater deflater(websocket::DeflateParams{});
    std::string out;
    EXPECT_TRUE(deflater.compress(message, true, out));
    return out;
  }
};

TEST_F(Compressed, NegotiatedOnlyWithCompressionOn) {
  EXPECT_EQ(open_compressed(), kAcceptHead);  // --compression off: the offer is ignored
  settings_.compression = true;
  handler_seq_ = 0;
  EXPECT_EQ(
      open_compressed(),
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n");
}

TEST_F(Compressed, TheHandlerSeesPlainPayloadsBothWays) {
  settings_.compression = true;
  open_compressed();
  const std::string text(3000, 'a');
  // One compressed message in two frames: RSV1 on the first only (RFC 7692 §6.1).
  const std::string payload = deflated(text);
  client(frame(kText, payload.substr(0, 3), false, true, 4) + frame(kCont, payload.substr(3)));
  std::string seen;
  for (const Sent& s : sent()) {
    zhttp::Packet p;
    ASSERT_EQ(zhttp::parse(s.frame, p), zhttp::ParseError::None);
    seen += p.body;
  }
  EXPECT_EQ(seen, text);

  handler_data("Hello");
  // RFC 7692 §7.2.3.1: "Hello" compressed, RSV1 set on the frame.
  EXPECT_EQ(write(), std::string("\xc1\x07\xf2\x48\xcd\xc9\xc9\x07\x00", 9));
  tick();
  EXPECT_EQ(described(), (Lines{"2 credit credits=5"}));  // credits count plain bytes
}

TEST_F(Compressed, AStreamedHandlerMessageIsCompressedFrameByFrame) {
  settings_.compression = true;
  open_compressed();
  handler_data("Hel", false, true);
  handler_data("lo");
  const std::string out = write();
  ASSERT_GE(out.size(), 4U);
  EXPECT_EQ(static_cast<std::uint8_t>(out[0]), 0x41);  // text, RSV1, not final
  const std::size_t second = 2 + static_cast<std::size_t>(out[1]);
  ASSERT_LT(second, out.size());
  EXPECT_EQ(static_cast<std::uint8_t>(out[second]), 0x80);  // continuation, final, no RSV1
  websocket::MessageInflater inflater(websocket::DeflateParams{}, 1000);
  std::string plain;
  EXPECT_EQ(inflater.inflate(out.substr(2, second - 2), false, plain), 0);
  EXPECT_EQ(inflater.inflate(out.substr(second + 2), true, plain), 0);
  EXPECT_EQ(plain, "Hello");
}

TEST_F(Compressed, LimitAppliesToTheInflatedSizeAndBadDataIs1007) {
  settings_.compression = true;
  settings_.websocket_message_max_bytes = 1000;
  open_compressed();
  client(frame(kBinary, deflated(std::string(1001, 'z')), true, true, 4));  // ~10 bytes on the wire
  EXPECT_EQ(close_code_at(write()), 1009);
  EXPECT_TRUE(session().closed());

  handler_seq_ = 0;
  open_compressed();
  client(frame(kBinary, "\xff\xff\xff\xff", true, true, 4));
  EXPECT_EQ(close_code_at(write()), 1007);
  EXPECT_EQ(described().back(), "1 cancel");
}

TEST_F(Compressed, Rsv1IsStillAnErrorWithoutNegotiation) {
  open_compressed();  // --compression off
  client(frame(kText, deflated("x"), true, true, 4));
  EXPECT_EQ(close_code_at(write()), 1002);
}

}  // namespace
}  // namespace zedge::session::testing

namespace zedge::session::testing {
namespace {

TEST_F(WebSocket, CreditsReturnAtOnceFromAQuarterBuffer) {
  settings_.buffer_size_bytes = 400;  // a quarter is 100 bytes
  open();
  handler_data(std::string(60, 'a'));
  write();
  EXPECT_EQ(described(), (Lines{}));
  handler_data(std::string(40, 'b'));
  write();
  EXPECT_EQ(described(), (Lines{"1 credit credits=100"}));
  handler_data(std::string(200, 'c'));  // the handler still had 300 of 400
  write();
  EXPECT_EQ(described(), (Lines{"2 credit credits=200"}));
}

}  // namespace
}  // namespace zedge::session::testing
