// A drain's timeline: the listeners close at the deadline, and a drain that exits is over
// once nothing is left or the close grace after the deadline has passed.
#include "server/drain_step.hpp"

#include <gtest/gtest.h>

namespace zedge::server {
namespace {

using namespace std::chrono_literals;

const auto t0 = DrainClock::time_point{} + 1h;
const auto deadline = t0 + 10s;

DrainState state(bool exit_when_done, bool accepting, bool nothing_left) {
  return DrainState{deadline, exit_when_done, accepting, nothing_left};
}

TEST(DrainStep, ADrainThatStaysWaitsForTheDeadlineThenClosesTheListeners) {
  const auto before = drain_step(state(false, true, false), t0);
  EXPECT_FALSE(before.close_listeners);
  EXPECT_FALSE(before.finished);
  EXPECT_EQ(before.next_check, deadline);

  const auto at = drain_step(state(false, true, false), deadline);
  EXPECT_TRUE(at.close_listeners);
  EXPECT_FALSE(at.finished);
  EXPECT_FALSE(at.next_check);  // nothing more to time
}

TEST(DrainStep, ADrainThatStaysIsNeverFinishedEvenWithNothingLeft) {
  const auto step = drain_step(state(false, false, true), deadline + 1h);
  EXPECT_FALSE(step.finished);
  EXPECT_FALSE(step.close_listeners);
  EXPECT_FALSE(step.next_check);
}

TEST(DrainStep, ListenersClosedAtTheStartNeedNoDeadlineTimer) {
  const auto step = drain_step(state(false, false, false), t0);
  EXPECT_FALSE(step.close_listeners);
  EXPECT_FALSE(step.next_check);
}

// Until then the server checks again when listeners close or the last connection goes.
TEST(DrainStep, ADrainThatExitsIsOverOnceNothingIsLeft) {
  const auto early = drain_step(state(true, true, false), t0);
  EXPECT_FALSE(early.finished);
  EXPECT_EQ(early.next_check, deadline);

  const auto closed = drain_step(state(true, false, false), t0 + 1s);
  EXPECT_FALSE(closed.finished);
  EXPECT_EQ(closed.next_check, deadline + kDrainCloseGrace);

  const auto over = drain_step(state(true, false, true), t0 + 1s);
  EXPECT_TRUE(over.finished);
  EXPECT_FALSE(over.next_check);
}

TEST(DrainStep, ADrainThatExitsStillClosesTheListenersOnTime) {
  const auto just_before = drain_step(state(true, true, false), deadline - 10ms);
  EXPECT_EQ(just_before.next_check, deadline);

  const auto at = drain_step(state(true, true, false), deadline);
  EXPECT_TRUE(at.close_listeners);
  EXPECT_FALSE(at.finished);
  EXPECT_EQ(at.next_check, deadline + kDrainCloseGrace);
}

TEST(DrainStep, ADrainThatExitsIsOverAfterTheCloseGraceWhateverIsLeft) {
  const auto within = drain_step(state(true, false, false), deadline + kDrainCloseGrace - 1ms);
  EXPECT_FALSE(within.finished);
  const auto past = drain_step(state(true, true, false), deadline + kDrainCloseGrace);
  EXPECT_TRUE(past.finished);
  EXPECT_TRUE(past.close_listeners);  // still accepting: they close on the way out
  EXPECT_FALSE(past.next_check);
}

}  // namespace
}  // namespace zedge::server
