// Handoff and the keep-alive helpers the worker batches with.
#include "session_fixture.hpp"

namespace zedge::session::testing {
namespace {

using Handoff = SessionTest;

// The sequence observed with Condure: A answers and gets a credit, A starts a handoff, zedge
// proceeds, B continues the seq and every later packet goes to B.
TEST_F(Handoff, NewOwnerBecomesTheAddress) {
  start();
  client("GET /stream HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  handler(
      "T94:4:from,8:handlerA,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,4:body,2:a\n,"
      "4:more,4:true!}");
  EXPECT_EQ(write(), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\na\n\r\n");
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handlerA",
                                              "T95:4:from,7:condure,2:id,5:0-0-0,3:seq,1:1#3:ext,15:5:multi,4:true!}"
                                              "4:type,6:credit,7:credits,1:2#}")}));

  handler("T65:4:from,8:handlerA,2:id,5:0-0-0,3:seq,1:1#4:type,13:handoff-start,}");
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handlerA",
                                              "T91:4:from,7:condure,2:id,5:0-0-0,3:seq,1:2#3:ext,15:5:multi,4:true!}"
                                              "4:type,15:handoff-proceed,}")}));
  EXPECT_FALSE(session().wants_keepalive());  // silent until the next packet

  handler("T67:4:from,8:handlerB,2:id,5:0-0-0,3:seq,1:2#4:body,2:b\n,4:more,4:true!}");
  EXPECT_EQ(session().handler_address(), "handlerB");
  EXPECT_TRUE(session().wants_keepalive());
  EXPECT_EQ(write(), "2\r\nb\n\r\n");
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handlerB",
                                              "T95:4:from,7:condure,2:id,5:0-0-0,3:seq,1:3#3:ext,15:5:multi,4:true!}"
                                              "4:type,6:credit,7:credits,1:2#}")}));

  handler("T53:4:from,8:handlerB,2:id,5:0-0-0,3:seq,1:3#4:body,2:c\n,}");
  EXPECT_EQ(write(), "2\r\nc\n\r\n0\r\n\r\n");
  EXPECT_EQ(sent(), std::vector<Sent>{});
  EXPECT_FALSE(session().closed());
}

TEST_F(Handoff, ProceedWaitsForOutputToDrainThenNewOwnerGetsCredits) {
  start();
  client("GET /stream HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  handler(
      "T94:4:from,8:handlerA,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,4:body,2:a\n,"
      "4:more,4:true!}");
  handler("T65:4:from,8:handlerA,2:id,5:0-0-0,3:seq,1:1#4:type,13:handoff-start,}");
  EXPECT_EQ(sent(), std::vector<Sent>{});  // output still pending

  EXPECT_EQ(take(), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\na\n\r\n");
  EXPECT_EQ(sent(), std::vector<Sent>{});  // still being written
  written();
  // Drained: the written bytes' credit still goes to A, then proceed (Condure's order,
  // checked by tests/integration/test_differential_sessions.py).
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handlerA",
                                              "T95:4:from,7:condure,2:id,5:0-0-0,3:seq,1:1#3:ext,15:5:multi,4:true!}"
                                              "4:type,6:credit,7:credits,1:2#}"),
                                       router("handlerA",
                                              "T91:4:from,7:condure,2:id,5:0-0-0,3:seq,1:2#3:ext,15:5:multi,4:true!}"
                                              "4:type,15:handoff-proceed,}")}));

  // Nothing goes out while paused: no keep-alive, nothing on a tick.
  EXPECT_FALSE(session().wants_keepalive());
  advance(10s);
  tick();
  EXPECT_EQ(sent(), std::vector<Sent>{});

  // B takes over at the next seq; later credits go to B.
  handler("T67:4:from,8:handlerB,2:id,5:0-0-0,3:seq,1:2#4:body,2:b\n,4:more,4:true!}");
  EXPECT_EQ(sent(), std::vector<Sent>{});
  EXPECT_EQ(write(), "2\r\nb\n\r\n");
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handlerB",
                                              "T95:4:from,7:condure,2:id,5:0-0-0,3:seq,1:3#3:ext,15:5:multi,4:true!}"
                                              "4:type,6:credit,7:credits,1:2#}")}));
}

TEST_F(Handoff, NewOwnerResumingWithKeepAliveGetsLaterPackets) {
  start();
  client("GET /stream HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  handler("T82:4:from,8:handlerA,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,4:more,4:true!}");
  EXPECT_EQ(write(), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
  handler("T65:4:from,8:handlerA,2:id,5:0-0-0,3:seq,1:1#4:type,13:handoff-start,}");
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handlerA",
                                              "T91:4:from,7:condure,2:id,5:0-0-0,3:seq,1:1#3:ext,15:5:multi,4:true!}"
                                              "4:type,15:handoff-proceed,}")}));
  // Pushpin's new owner resumes with a keep-alive; no credits were held back.
  handler("T62:4:from,8:handlerB,2:id,5:0-0-0,3:seq,1:2#4:type,10:keep-alive,}");
  EXPECT_EQ(sent(), std::vector<Sent>{});
  client_closes();
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handlerB",
                                              "T81:4:from,7:condure,2:id,5:0-0-0,3:seq,1:2#3:ext,15:5:multi,4:true!}"
                                              "4:type,6:cancel,}")}));
}

TEST_F(Handoff, RequestBodyWaitsForNewOwner) {
  start();
  client("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n01234");
  sent();
  handler("T72:4:from,8:handlerA,2:id,5:0-0-0,3:seq,1:0#4:type,6:credit,7:credits,2:10#}");
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handlerA",
                                              "T94:4:from,7:condure,2:id,5:0-0-0,3:seq,1:1#3:ext,15:5:multi,4:true!}"
                                              "4:body,5:01234,4:more,4:true!}")}));
  handler("T65:4:from,8:handlerA,2:id,5:0-0-0,3:seq,1:1#4:type,13:handoff-start,}");
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handlerA",
                                              "T91:4:from,7:condure,2:id,5:0-0-0,3:seq,1:2#3:ext,15:5:multi,4:true!}"
                                              "4:type,15:handoff-proceed,}")}));
  // Credits are left, but nothing moves while the session is handed over.
  client("56789");
  EXPECT_EQ(sent(), std::vector<Sent>{});
  EXPECT_EQ(unconsumed(), "56789");
  handler("T62:4:from,8:handlerB,2:id,5:0-0-0,3:seq,1:2#4:type,10:keep-alive,}");
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handlerB",
                                              "T80:4:from,7:condure,2:id,5:0-0-0,3:seq,1:3#3:ext,15:5:multi,4:true!}"
                                              "4:body,5:56789,}")}));
}

using KeepAlive = SessionTest;

TEST_F(KeepAlive, WantedOnlyWhileTheHandlerIsKnownAndTheResponseOpen) {
  start();
  EXPECT_FALSE(session().wants_keepalive());  // no request
  client("GET /stream HTTP/1.1\r\nHost: a\r\n\r\n");
  sent();
  EXPECT_FALSE(session().wants_keepalive());  // handler address not known yet

  handler(
      "T92:4:from,7:handler,2:id,5:0-0-0,3:seq,1:0#4:code,3:200#6:reason,2:OK,4:body,1:a,"
      "4:more,4:true!}");
  EXPECT_TRUE(session().wants_keepalive());
  EXPECT_EQ(session().handler_address(), "handler");
  // A batched keep-alive takes seq 1, so the next credit is seq 2.
  EXPECT_EQ(session().take_keepalive_seq(), 1);
  EXPECT_EQ(write(), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n");
  EXPECT_EQ(sent(), (std::vector<Sent>{router("handler",
                                              "T95:4:from,7:condure,2:id,5:0-0-0,3:seq,1:2#3:ext,15:5:multi,4:true!}"
                                              "4:type,6:credit,7:credits,1:1#}")}));
  EXPECT_EQ(session().take_keepalive_seq(), 3);

  handler("T50:4:from,7:handler,2:id,5:0-0-0,3:seq,1:1#4:body,0:,}");
  EXPECT_FALSE(session().wants_keepalive());  // response finished
}

TEST_F(KeepAlive, NeverInReqMode) {
  settings_.mode = Mode::Req;
  start();
  client("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_FALSE(session().wants_keepalive());
}

}  // namespace
}  // namespace zedge::session::testing
