#include "bridge/zmq_endpoints.hpp"

#include <charconv>

namespace zedge::bridge {

std::optional<StreamEndpoints> stream_endpoints(const std::string& base, std::string& error) {
  if (base.rfind("ipc://", 0) == 0) {
    return StreamEndpoints{base + "-out", base + "-out-stream", base + "-in"};
  }
  if (base.rfind("tcp://", 0) == 0) {
    const auto colon = base.rfind(':');
    if (colon == std::string::npos || colon < 6) {
      error = "tcp base spec needs a port: " + base;
      return std::nullopt;
    }
    unsigned port = 0;
    const char* first = base.data() + colon + 1;
    const char* last = base.data() + base.size();
    const auto [ptr, ec] = std::from_chars(first, last, port);
    if (ec != std::errc{} || ptr != last || port == 0 || port + 2 > 65535) {
      error = "tcp base spec has a bad port: " + base;
      return std::nullopt;
    }
    const std::string host = base.substr(0, colon + 1);
    return StreamEndpoints{host + std::to_string(port), host + std::to_string(port + 1),
                           host + std::to_string(port + 2)};
  }
  error = "base spec must be ipc or tcp: " + base;
  return std::nullopt;
}

std::string ipc_path(const std::string& endpoint) {
  if (endpoint.rfind("ipc://", 0) != 0) return {};
  return endpoint.substr(6);
}

}  // namespace zedge::bridge
