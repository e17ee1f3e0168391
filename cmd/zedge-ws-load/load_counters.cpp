#include "load_counters.hpp"

#include <algorithm>

namespace zedge::wsload {

const char* load_error_name(LoadError e) {
  switch (e) {
    case LoadError::kConnect: return "connect";
    case LoadError::kHandshake: return "handshake";
    case LoadError::kTimeout: return "timeout";
    case LoadError::kRead: return "read";
    case LoadError::kWrite: return "write";
    case LoadError::kClosed: return "closed";
    case LoadError::kMismatch: return "mismatch";
  }
  return "unknown";
}

void LoadCounters::merge(const LoadCounters& other) {
  ready += other.ready;
  messages += other.messages;
  for (std::size_t i = 0; i < kLoadErrorKinds; ++i) errors[i] += other.errors[i];
  for (const auto& [status, n] : other.handshake_status) handshake_status[status] += n;
  min_connection_messages = std::min(min_connection_messages, other.min_connection_messages);
  max_connection_messages = std::max(max_connection_messages, other.max_connection_messages);
  if (first_error.empty()) first_error = other.first_error;
  latency.merge(other.latency);
}

}  // namespace zedge::wsload
