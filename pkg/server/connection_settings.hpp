// What workers and connections need to know from the command line, in one place.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "session/http_session.hpp"

namespace zedge::tls {
class ListenerContext;
}  // namespace zedge::tls

namespace zedge::server {

using session::Mode;
using session::PeerInfo;

struct ConnectionSettings {
  session::SessionSettings stream;  // sessions on stream-mode listeners
  session::SessionSettings req;     // sessions on req-mode listeners
  std::uint64_t stream_maxconn = 10000;
  std::uint64_t req_maxconn = 100;
  unsigned workers = 2;
  // Condure sends keep-alives for open sessions every 45 s.
  std::chrono::milliseconds keepalive_interval{45000};

  const session::SessionSettings& for_mode(Mode mode) const { return mode == Mode::Stream ? stream : req; }
  std::size_t buffer_size_bytes() const { return stream.buffer_size_bytes; }
};

struct ListenerInfo {
  Mode mode = Mode::Stream;
  bool secure = false;
  // TLS listeners: where handshakes get their identity (owned by the EdgeListener, which
  // outlives every connection).
  tls::ListenerContext* tls = nullptr;
};

}  // namespace zedge::server
