// Types shared by the HTTP and WebSocket phases of a connection's session.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "zhttp/route.hpp"

namespace zedge::session {

using Clock = std::chrono::steady_clock;

// Byte counts meet credits, which ZHTTP carries as signed integers.
inline std::int64_t to_i64(std::size_t n) { return static_cast<std::int64_t>(n); }

enum class Mode { Stream, Req };

// What sessions report for metrics; the server counts them per worker.
// Optional: sessions without one (unit tests) report nothing.
class SessionEvents {
 public:
  virtual ~SessionEvents() = default;
  // A response's status is known and the handler finished it (or zedge answered itself).
  virtual void request_done(int status, Clock::duration elapsed) = 0;
  virtual void websocket_message(bool from_client) = 0;
  // Client data had to wait for the handler's credits.
  virtual void credit_stall() = 0;
};

struct SessionSettings {
  std::string instance_id = "condure";
  Mode mode = Mode::Stream;
  bool secure = false;  // TLS listener: https/wss uris
  std::size_t buffer_size_bytes = 8192;
  std::size_t body_buffer_size_bytes = 100000;
  // Condure closes a stream session whose handler sent nothing for 60 s.
  std::chrono::milliseconds session_timeout{60000};
  std::chrono::milliseconds req_timeout{30000};
  std::chrono::milliseconds stream_timeout{1800000};
  // From a request head's first byte to its end (slowloris); zero: only the timers above.
  std::chrono::milliseconds header_timeout{30000};
  // With no handler connected, how long a request waits for one before a 503.
  std::chrono::milliseconds handler_wait{5000};
  // WebSocket.
  std::size_t messages_max = 100;  // handler messages queued toward one client
  // Largest message a client may send (received size, and inflated size when compressed);
  // a larger one is closed with 1009.
  std::uint64_t websocket_message_max_bytes = 16U * 1024U * 1024U;
  bool compression = false;  // permessage-deflate may be negotiated
  SessionEvents* events = nullptr;
};

using Route = zhttp::Route;

// Where a session's packets go. The server forwards them to the ZeroMQ bridge; tests record them.
class PacketSink {
 public:
  virtual ~PacketSink() = default;
  virtual void send_packet(Route route, std::string_view address, std::string frame) = 0;
};

enum class CloseReason {
  None,
  Done,            // finished (non-persistent response, client left between requests)
  ClientGone,      // client closed or reset during a request: handler gets cancel
  HandlerEnded,    // handler sent cancel or error
  ProtocolError,   // handler broke the protocol (bad seq, bad header): no cancel; a body past
                   // its own Content-Length: cancel
  CreditOverrun,   // handler sent more body than its credits: cancel, as Condure's local errors
  ClientError,     // client sent something we answered with an error status
  SessionTimeout,  // handler silent too long (no cancel)
  ClientTimeout,   // --stream-timeout / --req-timeout (cancel in stream mode)
  Shutdown,        // process stopping: handler gets cancel
  Rejected,        // handler refused a WebSocket upgrade: its response, then close
  Drained,         // graceful drain: idle connection closed, or the drain deadline came
  HandlerGone,     // the handler's identity left the ROUTER: 502 / close 1011, no cancel
};

std::string_view close_reason_name(CloseReason reason);

}  // namespace zedge::session
