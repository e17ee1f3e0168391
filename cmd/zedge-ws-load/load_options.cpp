#include "load_options.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstdint>
#include <string_view>

#include "take_flag_value.hpp"

namespace zedge::wsload {
namespace {

using tools::take_flag_value;

template <typename Number>
bool parse_number(std::string_view text, Number& out) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc{} && ptr == end && !text.empty();
}

bool is_loopback_ipv4(const std::string& host) {
  in_addr address{};
  if (inet_pton(AF_INET, host.c_str(), &address) != 1) return false;
  return (ntohl(address.s_addr) >> 24) == 127;
}

std::optional<std::string> check(const LoadOptions& o) {
  if (!is_loopback_ipv4(o.host)) return "--host must be an IPv4 address in 127.0.0.0/8";
  if (o.port == 0 || o.port > 65535) return "--port must be 1-65535";
  if (o.path.empty() || o.path.front() != '/') return "--path must start with /";
  if (o.connections == 0 || o.connections > kConnectionsMax) {
    return "--connections must be 1-" + std::to_string(kConnectionsMax);
  }
  if (o.message_bytes > kMessageBytesMax) {
    return "--message-bytes must be at most " + std::to_string(kMessageBytesMax);
  }
  if (!(o.duration_s > 0 && o.duration_s <= kDurationMaxS)) {
    return "--duration must be over 0 and at most " + std::to_string(kDurationMaxS) + " s";
  }
  if (o.threads == 0 || o.threads > kThreadsMax) {
    return "--threads must be 1-" + std::to_string(kThreadsMax);
  }
  if (!(o.connect_timeout_s > 0 && o.connect_timeout_s <= kDurationMaxS) ||
      !(o.message_timeout_s > 0 && o.message_timeout_s <= kDurationMaxS)) {
    return "timeouts must be over 0 and at most " + std::to_string(kDurationMaxS) + " s";
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> parse_options(int argc, char** argv, LoadOptions& out) {
  std::optional<std::string> error;
  for (int i = 1; i < argc && !error; ++i) {
    const std::string_view arg = argv[i];
    std::string value;
    bool number_ok = true;
    if (arg == "--help" || arg == "-h") {
      out.help = true;
    } else if (take_flag_value(argc, argv, i, "--host", value, error)) {
      out.host = value;
    } else if (take_flag_value(argc, argv, i, "--port", value, error)) {
      number_ok = parse_number(value, out.port);
    } else if (take_flag_value(argc, argv, i, "--path", value, error)) {
      out.path = value;
    } else if (take_flag_value(argc, argv, i, "--connections", value, error)) {
      number_ok = parse_number(value, out.connections);
    } else if (take_flag_value(argc, argv, i, "--message-bytes", value, error)) {
      number_ok = parse_number(value, out.message_bytes);
    } else if (take_flag_value(argc, argv, i, "--duration", value, error)) {
      number_ok = parse_number(value, out.duration_s);
    } else if (take_flag_value(argc, argv, i, "--threads", value, error)) {
      number_ok = parse_number(value, out.threads);
    } else if (take_flag_value(argc, argv, i, "--connect-timeout", value, error)) {
      number_ok = parse_number(value, out.connect_timeout_s);
    } else if (take_flag_value(argc, argv, i, "--message-timeout", value, error)) {
      number_ok = parse_number(value, out.message_timeout_s);
    } else {
      error = "unknown option: " + std::string(arg);
    }
    if (!error && !number_ok) error = "not a number: " + std::string(arg) + " " + value;
  }
  if (error) return error;
  if (out.help) return std::nullopt;
  return check(out);
}

std::string usage_text() {
  return "Usage: zedge-ws-load --port N [options]\n"
         "WebSocket echo load: each connection upgrades, then sends a masked text frame and\n"
         "waits for its echo, in a closed loop, for --duration seconds. Prints one JSON line:\n"
         "messages, errors, latency percentiles (microseconds), its own CPU time.\n"
         "\n"
         "  --host ADDR             IPv4 address in 127.0.0.0/8 (default 127.0.0.1)\n"
         "  --port N                server port (required)\n"
         "  --path PATH             request target of the upgrade (default /)\n"
         "  --connections C         concurrent connections (default 100)\n"
         "  --message-bytes N       text payload per message (default 32)\n"
         "  --duration S            seconds of load once every connection is up (default 5)\n"
         "  --threads T             event-loop threads (default 1)\n"
         "  --connect-timeout S     limit for connecting and upgrading all (default 10)\n"
         "  --message-timeout S     an echo slower than this is an error and closes its\n"
         "                          connection (default 2)\n"
         "  -h, --help              show this help\n"
         "\n"
         "Exit status: 0 when the JSON was printed (errors are in it), 2 for a bad command\n"
         "line, 1 for a local failure.\n";
}

}  // namespace zedge::wsload
