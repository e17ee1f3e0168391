// Command line of zedge-ws-load.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace zedge::wsload {

struct LoadOptions {
  std::string host = "127.0.0.1";   // --host: an IPv4 address in 127.0.0.0/8 only
  unsigned port = 0;                // --port (required)
  std::string path = "/";           // --path: request target of the upgrade
  std::size_t connections = 100;    // --connections
  std::size_t message_bytes = 32;   // --message-bytes: text payload per message
  double duration_s = 5.0;          // --duration: closed-loop load, after every upgrade
  std::size_t threads = 1;          // --threads: one io_context each
  double connect_timeout_s = 10.0;  // --connect-timeout: connect + upgrade of all
  double message_timeout_s = 2.0;   // --message-timeout: an echo slower is an error
  bool help = false;
};

// Bounds that keep a mistyped flag from loading the machine without end.
inline constexpr std::size_t kConnectionsMax = 19000;  // under the 20,000-fd limit
inline constexpr std::size_t kMessageBytesMax = 16U * 1024U * 1024U;
inline constexpr double kDurationMaxS = 3600.0;
inline constexpr std::size_t kThreadsMax = 64;

// Parses argv. Returns nullopt on success, else a message for stderr.
std::optional<std::string> parse_options(int argc, char** argv, LoadOptions& out);

std::string usage_text();

}  // namespace zedge::wsload
