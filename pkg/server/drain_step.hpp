// What a drain's timer does when it goes off; pure, the server applies it.
//
// At the deadline the listeners close: no new clients from then on. A drain asked to exit
// is over once nothing is left (listeners closed, their backlogs taken, no connection
// open), or anyway a grace period after the deadline, which the last answers get: 503s to
// requests still waiting and to connections taken from the closing listeners' backlogs
// (tls ones handshake first), WebSocket close frames.
#pragma once

#include <chrono>
#include <optional>

namespace zedge::server {

using DrainClock = std::chrono::steady_clock;

inline constexpr auto kDrainCloseGrace = std::chrono::seconds(2);

struct DrainState {
  DrainClock::time_point deadline;
  bool exit_when_done = false;
  bool accepting = false;     // the listeners still take new connections
  bool nothing_left = false;  // listeners closed, backlogs taken, no connection open
};

struct DrainStep {
  bool close_listeners = false;
  bool finished = false;                             // a drain asked to exit is over
  std::optional<DrainClock::time_point> next_check;  // nullopt: nothing left to wait for
};

inline DrainStep drain_step(const DrainState& drain, DrainClock::time_point now) {
  DrainStep step;
  step.close_listeners = drain.accepting && now >= drain.deadline;
  step.finished = drain.exit_when_done && (drain.nothing_left || now >= drain.deadline + kDrainCloseGrace);
  if (step.finished) return step;
  // Besides these times, the server checks again when the listeners have closed and when
  // the last connection is gone, so nothing is polled.
  if (drain.accepting && now < drain.deadline) {
    step.next_check = drain.deadline;
  } else if (drain.exit_when_done) {
    step.next_check = drain.deadline + kDrainCloseGrace;
  }
  return step;
}

}  // namespace zedge::server
