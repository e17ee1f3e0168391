// HandlerLink on its own: reply address and seq, credits both ways, the handoff pause and
// the cancel rule, with every frame it sends written out in full.
#include "session/handler_link.hpp"

#include <gtest/gtest.h>

#include "session/session_end.hpp"
#include "session_fixture.hpp"

namespace zedge::session::testing {
namespace {

zhttp::Packet parsed(std::string_view frame) {
  zhttp::Packet packet;
  EXPECT_EQ(zhttp::parse(frame, packet), zhttp::ParseError::None) << frame;
  return packet;
}

class HandlerLinkTest : public ::testing::Test {
 protected:
  HandlerLinkTest() : link_(settings_, sink_, "test") { link_.state().id = "0-0-0"; }

  // A handler packet as the worker hands it over: the ids' first entry addresses us.
  bool accept(std::string_view frame) {
    const zhttp::Packet packet = parsed(frame);
    return link_.accept(packet, packet.ids.front());
  }

  SessionSettings settings_;
  RecordingSink sink_;
  HandlerLink link_;
};

TEST_F(HandlerLinkTest, FollowsFromAndCountsSeq) {
  EXPECT_FALSE(link_.known());
  ASSERT_TRUE(accept("T57:4:from,8:handlerA,2:id,5:0-0-0,3:seq,1:0#4:type,6:credit,}"));
  EXPECT_EQ(link_.address(), "handlerA");
  EXPECT_EQ(link_.state().in_seq, 1);
  // A packet without `from` keeps the address; the next seq is 1.
  ASSERT_TRUE(accept("T39:2:id,5:0-0-0,3:seq,1:1#4:type,6:credit,}"));
  EXPECT_EQ(link_.address(), "handlerA");
  ASSERT_TRUE(accept("T57:4:from,8:handlerB,2:id,5:0-0-0,3:seq,1:2#4:type,6:credit,}"));
  EXPECT_EQ(link_.address(), "handlerB");
  EXPECT_EQ(link_.state().in_seq, 3);
}

TEST_F(HandlerLinkTest, WrongSeqIsRefused) {
  EXPECT_FALSE(accept("T57:4:from,8:handlerA,2:id,5:0-0-0,3:seq,1:4#4:type,6:credit,}"));
  EXPECT_EQ(link_.state().in_seq, 0);
}

TEST_F(HandlerLinkTest, CancelAndCreditsGoToTheReplyAddressWithTheNextSeq) {
  ASSERT_TRUE(accept("T57:4:from,8:handlerA,2:id,5:0-0-0,3:seq,1:0#4:type,6:credit,}"));
  link_.state().out_seq = 1;
  link_.send_credits(10);
  link_.send_cancel();
  EXPECT_EQ(link_.state().receive_credits, 10);
  EXPECT_EQ(sink_.packets, (std::vector<Sent>{router("handlerA",
                                                     "T96:4:from,7:condure,2:id,5:0-0-0,3:seq,1:1#3:ext,15:5:multi,"
                                                     "4:true!}4:type,6:credit,7:credits,2:10#}"),
                                              router("handlerA",
                                                     "T81:4:from,7:condure,2:id,5:0-0-0,3:seq,1:2#3:ext,15:5:multi,"
                                                     "4:true!}4:type,6:cancel,}")}));
}

TEST_F(HandlerLinkTest, OwedCreditsWaitOutAHandoffPause) {
  ASSERT_TRUE(accept("T57:4:from,8:handlerA,2:id,5:0-0-0,3:seq,1:0#4:type,6:credit,}"));
  link_.start_handoff();
  EXPECT_TRUE(link_.handoff_pending());
  link_.proceed_handoff();
  EXPECT_TRUE(link_.paused());
  sink_.packets.clear();
  link_.owe_credits(5);
  link_.return_owed_credits();
  EXPECT_TRUE(sink_.packets.empty());  // paused: the next owner gets them
  EXPECT_TRUE(link_.resume());
  EXPECT_FALSE(link_.resume());
  link_.return_owed_credits();
  EXPECT_EQ(link_.state().credits_owed, 0);
  EXPECT_EQ(link_.state().receive_credits, 5);
  ASSERT_EQ(sink_.packets.size(), 1U);
}

TEST_F(HandlerLinkTest, ResetKeepsNothingOfTheLastRequest) {
  ASSERT_TRUE(accept("T57:4:from,8:handlerA,2:id,5:0-0-0,3:seq,1:0#4:type,6:credit,}"));
  link_.state().send_credits = 7;
  link_.start_handoff();
  link_.reset();
  EXPECT_EQ(link_.id(), "");
  EXPECT_FALSE(link_.known());
  EXPECT_EQ(link_.state().in_seq, 0);
  EXPECT_EQ(link_.state().out_seq, 0);
  EXPECT_EQ(link_.state().send_credits, 0);
  EXPECT_FALSE(link_.handoff_pending());
}

TEST(HandlerHearsCancel, OnlyForEndingsItDidNotCause) {
  for (CloseReason r : {CloseReason::ClientGone, CloseReason::ClientTimeout, CloseReason::CreditOverrun,
                        CloseReason::Drained, CloseReason::Shutdown}) {
    EXPECT_TRUE(HandlerLink::handler_hears_cancel(r)) << close_reason_name(r);
  }
  for (CloseReason r :
       {CloseReason::Done, CloseReason::HandlerEnded, CloseReason::ProtocolError, CloseReason::ClientError,
        CloseReason::SessionTimeout, CloseReason::Rejected, CloseReason::HandlerGone}) {
    EXPECT_FALSE(HandlerLink::handler_hears_cancel(r)) << close_reason_name(r);
  }
}

TEST(SessionEndTest, ClosesAfterOutputOrAtOnce) {
  SessionEnd end;
  EXPECT_TRUE(end.open());
  end.close_when_written(CloseReason::Rejected, true);
  EXPECT_TRUE(end.after_output());
  EXPECT_EQ(end.reason(), CloseReason::Rejected);
  end.output_drained();
  EXPECT_TRUE(end.closed());

  SessionEnd nothing_queued;
  nothing_queued.close_when_written(CloseReason::Done, false);
  EXPECT_TRUE(nothing_queued.closed());

  SessionEnd open;
  open.output_drained();  // nothing to finish
  EXPECT_TRUE(open.open());
}

}  // namespace
}  // namespace zedge::session::testing
