// How far a session is from its end, and why it ends: one state instead of a reason plus a
// "close once written" flag that could disagree.
#pragma once

#include <cstdint>

#include "session/session_types.hpp"

namespace zedge::session {

class SessionEnd {
 public:
  enum class Stage : std::uint8_t {
    Open,         // serving; reason() is None
    AfterOutput,  // ends once the output already queued reaches the client
    Closed,       // over: the connection closes now
  };

  Stage stage() const { return stage_; }
  bool open() const { return stage_ == Stage::Open; }
  bool after_output() const { return stage_ == Stage::AfterOutput; }
  bool closed() const { return stage_ == Stage::Closed; }
  CloseReason reason() const { return reason_; }

  void close_now(CloseReason reason) {
    reason_ = reason;
    stage_ = Stage::Closed;
  }
  // Ends after the output still queued or being written; at once if there is none.
  void close_when_written(CloseReason reason, bool output_pending) {
    reason_ = reason;
    stage_ = output_pending ? Stage::AfterOutput : Stage::Closed;
  }
  // All output reached the client.
  void output_drained() {
    if (stage_ == Stage::AfterOutput) stage_ = Stage::Closed;
  }

 private:
  Stage stage_ = Stage::Open;
  CloseReason reason_ = CloseReason::None;
};

}  // namespace zedge::session
