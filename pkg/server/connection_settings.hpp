// What every connection needs to know from the command line, in one place.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "server/request_packet.hpp"

namespace zedge::server {

enum class Mode { Stream, Req };

struct ConnectionSettings {
  std::string instance_id = "condure";
  std::size_t buffer_size_bytes = 8192;
  std::size_t body_buffer_size_bytes = 100000;
  std::uint64_t stream_maxconn = 10000;
  std::uint64_t req_maxconn = 100;
  unsigned workers = 2;
  // Condure closes a stream session whose handler sent nothing for 60 s (reference §1.8).
  std::chrono::seconds session_timeout{60};
  std::chrono::seconds req_timeout{30};
  std::chrono::seconds stream_timeout{1800};
};

struct ListenerInfo {
  Mode mode = Mode::Stream;
  bool secure = false;
};

}  // namespace zedge::server
