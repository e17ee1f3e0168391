// How a graceful drain goes: the body of the admin API's `POST /drain`, and what SIGTERM
// and `quit` start with. Header-only; the server takes it as is.
#pragma once

#include <chrono>

namespace zedge::admin {

struct DrainOptions {
  std::chrono::milliseconds timeout{25000};  // deadline for in-flight requests/streams
  bool stop_accepting = true;                // close listeners at the start (false: keep accepting,
                                             // answer with Connection: close)
  bool close_websockets_now = false;         // 1001 at once instead of at the deadline
  bool exit_when_done = false;               // quit when the last connection is gone (or at the deadline)
};

}  // namespace zedge::admin
