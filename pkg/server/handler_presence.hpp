// Whether handlers are there, for the readiness probe: not ready before the
// first handler connects, and not after the last one has been gone for a grace period (so a
// handler restart does not flap readiness). Fed samples of the connected-handler count;
// pure logic, no clock of its own.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace zedge::server {

class HandlerPresence {
 public:
  using Clock = std::chrono::steady_clock;

  explicit HandlerPresence(std::chrono::milliseconds grace) : grace_(grace) {}

  void observe(int connected, Clock::time_point now) {
    if (connected > 0) {
      ever_connected_ = true;
      absent_since_.reset();
    } else if (!absent_since_) {
      absent_since_ = now;
    }
  }

  // nullopt when handlers are present (or absent for less than the grace period).
  std::optional<std::string> not_ready_reason(Clock::time_point now) const {
    if (!ever_connected_) return "no handler connected yet";
    if (absent_since_ && now - *absent_since_ >= grace_) return "no handler connected";
    return std::nullopt;
  }

 private:
  std::chrono::milliseconds grace_;
  bool ever_connected_ = false;
  std::optional<Clock::time_point> absent_since_;
};

}  // namespace zedge::server
