// Everything about the request in flight on an HTTP connection. The session replaces it
// with a fresh one when the next request starts, so nothing set for one request can leak
// into the next; only its heap buffers are kept (emptied) for reuse.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "http1/response_writer.hpp"
#include "session/session_types.hpp"

namespace zedge::session {

struct ActiveRequest {
  enum class Stage : std::uint8_t {
    AwaitingHead,       // reading the head; nothing went to a handler yet
    WaitingForHandler,  // head complete, no handler connected: waits up to --handler-wait
    InRequest,          // the request went to the handlers; its response is awaited or written
  };

  Stage stage = Stage::AwaitingHead;
  bool head_started = false;       // a byte of the head has arrived
  Clock::time_point started;       // head complete: for the request duration metric
  std::string uri;                 // as the handler sees it
  bool upgrade_requested = false;  // a valid WebSocket upgrade waits for the handler's answer

  // Request body, client -> handler.
  bool has_body = false;
  bool body_done = false;     // the whole body was read from the client
  bool handler_seen = false;  // the handler's first packet came: the body may flow
  std::string body_out;       // req mode: the whole body so far
  // Stream mode: body pieces waiting for credits, oldest first. A vector, not a deque:
  // libstdc++'s deque allocates ~600 bytes even when empty, on every connection.
  std::vector<std::string> body_pieces;
  std::size_t body_held_bytes = 0;  // bytes in body_pieces (at most a buffer's worth)
  bool final_body_sent = false;
  bool stalled = false;  // body is waiting for credits (counted once per wait)

  // Response, handler -> client.
  bool response_started = false;
  bool response_done = false;  // its last byte came from the handler (or zedge answered)
  int status = 0;
  http1::ResponsePlan plan;
  std::uint64_t body_left = 0;  // Content-Length framing: body bytes still to come

  // A fresh request that keeps `old`'s heap buffers, emptied.
  static ActiveRequest reusing_buffers_of(ActiveRequest& old) {
    ActiveRequest next;
    next.uri.swap(old.uri);
    next.uri.clear();
    next.body_out.swap(old.body_out);
    next.body_out.clear();
    next.body_pieces.swap(old.body_pieces);
    next.body_pieces.clear();
    return next;
  }
};

}  // namespace zedge::session
