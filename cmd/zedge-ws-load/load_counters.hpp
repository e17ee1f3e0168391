// What one load thread counted; merged over threads for the JSON report.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <string>

#include "latency_histogram.hpp"

namespace zedge::wsload {

enum class LoadError : std::uint8_t {
  kConnect,    // connect failed or did not finish by --connect-timeout
  kHandshake,  // no 101 (status in handshake_status), or the upgrade did not finish in time
  kTimeout,    // an echo took longer than --message-timeout
  kRead,       // read error
  kWrite,      // write error
  kClosed,     // the server closed (EOF or a close frame)
  kMismatch,   // the echo was not what was sent, or a frame was malformed
};
inline constexpr std::size_t kLoadErrorKinds = 7;

const char* load_error_name(LoadError e);

struct LoadCounters {
  std::uint64_t ready = 0;     // connections upgraded
  std::uint64_t messages = 0;  // echoes received within the load window
  std::uint64_t errors[kLoadErrorKinds] = {};
  // Status code of each refused upgrade (0: closed or no status line).
  std::map<int, std::uint64_t> handshake_status;
  std::uint64_t min_connection_messages =
      std::numeric_limits<std::uint64_t>::max();  // over connections that were ready
  std::uint64_t max_connection_messages = 0;
  std::string first_error;
  LatencyHistogram latency;

  void count(LoadError e) { ++errors[static_cast<std::size_t>(e)]; }
  void merge(const LoadCounters& other);
};

}  // namespace zedge::wsload
