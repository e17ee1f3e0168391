// What each termination signal asks of zedge, given the ones before it.
#include "stop_signals.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <initializer_list>
#include <vector>

namespace zedge::cmd {
namespace {

using Action = StopSignalCount::Action;
using Actions = std::vector<Action>;

Actions actions_for(std::initializer_list<int> signals) {
  StopSignalCount count;
  Actions actions;
  for (const int signal_number : signals) actions.push_back(count.next(signal_number));
  return actions;
}

TEST(StopSignalCount, SigtermDrainsThenASecondStopsAndAThirdExits) {
  EXPECT_EQ(actions_for({SIGTERM, SIGTERM, SIGTERM}), (Actions{Action::Drain, Action::Stop, Action::Exit}));
}

TEST(StopSignalCount, AfterSigtermAnySignalStopsThenAnyExits) {
  EXPECT_EQ(actions_for({SIGTERM, SIGINT, SIGQUIT}), (Actions{Action::Drain, Action::Stop, Action::Exit}));
  EXPECT_EQ(actions_for({SIGTERM, SIGQUIT, SIGTERM}), (Actions{Action::Drain, Action::Stop, Action::Exit}));
}

TEST(StopSignalCount, SigintAndSigquitStopAtOnceAndTheNextSignalExits) {
  for (const int first : {SIGINT, SIGQUIT}) {
    for (const int second : {SIGINT, SIGQUIT, SIGTERM}) {
      EXPECT_EQ(actions_for({first, second}), (Actions{Action::Stop, Action::Exit}));
    }
  }
}

}  // namespace
}  // namespace zedge::cmd
