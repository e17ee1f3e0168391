#include "handler_options.hpp"

#include <charconv>
#include <cstdint>
#include <string_view>

#include "take_flag_value.hpp"
#include "zhttp/packet.hpp"

namespace zedge::hello {
namespace {

using tools::take_flag_value;

constexpr std::string_view kIpcScheme = "ipc://";
constexpr std::string_view kTcpScheme = "tcp://";
// A tcp base uses three consecutive ports, so the first may be at most 65535 - 2.
constexpr unsigned kTcpBasePortMax = 65533;

bool starts_with(std::string_view s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

std::optional<std::string> check(const HandlerOptions& o) {
  if (o.id.empty() || o.id.size() > zhttp::kFromMaxBytes) {
    return "--id must be 1 to " + std::to_string(zhttp::kFromMaxBytes) + " bytes";
  }
  // ZeroMQ reserves identities that start with a zero byte.
  if (o.id.front() == '\0') return "--id must not start with a zero byte";
  // The instance is the PUB topic "<instance> ", so it cannot hold a space (as Condure's --id).
  if (o.instance.empty() || o.instance.find(' ') != std::string::npos) {
    return "--instance must be non-empty and contain no space";
  }
  for (const std::string& base : o.stream_bases) {
    std::string error;
    if (!stream_endpoints(base, error)) return error;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> parse_options(int argc, char** argv, HandlerOptions& out) {
  std::optional<std::string> error;
  std::vector<std::string> bases;
  for (int i = 1; i < argc && !error; ++i) {
    const std::string_view arg = argv[i];
    std::string value;
    if (arg == "--help" || arg == "-h") {
      out.help = true;
    } else if (arg == "--bind") {
      out.bind = true;
    } else if (take_flag_value(argc, argv, i, "--stream-base", value, error)) {
      bases.push_back(value);
    } else if (take_flag_value(argc, argv, i, "--req-spec", value, error)) {
      out.req_specs.push_back(value);
    } else if (take_flag_value(argc, argv, i, "--id", value, error)) {
      out.id = value;
    } else if (take_flag_value(argc, argv, i, "--instance", value, error)) {
      out.instance = value;
    } else if (take_flag_value(argc, argv, i, "--body", value, error)) {
      out.body = value;
    } else {
      error = "unknown option: " + std::string(arg);
    }
  }
  if (error) return error;
  out.stream_bases = bases.empty() ? std::vector<std::string>{"ipc://client"} : bases;
  return check(out);
}

std::string usage_text() {
  return "Usage: zedge-hello-handler [options]\n"
         "A ZHTTP handler that answers every request with 200 and a fixed text body,\n"
         "and accepts every WebSocket request and echoes its messages.\n"
         "\n"
         "  --stream-base SPEC  stream-mode base, repeatable (default ipc://client):\n"
         "                      ipc://P uses P-out (PULL), P-out-stream (ROUTER), P-in (PUB);\n"
         "                      tcp://H:N uses ports N, N+1, N+2\n"
         "  --req-spec SPEC     also serve req mode on a ROUTER at SPEC, repeatable\n"
         "  --bind              bind the sockets (default: connect; zedge binds)\n"
         "  --id NAME           our 'from' address and ROUTER identity (default hello-handler)\n"
         "  --instance ID       the zedge/Condure --id to publish to (default condure)\n"
         "  --body TEXT         response body (default \"hello world\\n\")\n"
         "  -h, --help          show this help\n";
}

std::optional<StreamEndpoints> stream_endpoints(const std::string& base, std::string& error) {
  if (starts_with(base, kIpcScheme) && base.size() > kIpcScheme.size()) {
    return StreamEndpoints{base + "-out", base + "-out-stream", base + "-in"};
  }
  if (starts_with(base, kTcpScheme)) {
    const std::size_t colon = base.rfind(':');
    const std::string_view port_text = std::string_view(base).substr(colon + 1);
    unsigned port = 0;
    const char* end = port_text.data() + port_text.size();
    auto [ptr, ec] = std::from_chars(port_text.data(), end, port);
    if (colon > kTcpScheme.size() && ec == std::errc{} && ptr == end && port > 0 && port <= kTcpBasePortMax) {
      const std::string host = base.substr(0, colon + 1);
      return StreamEndpoints{host + std::to_string(port), host + std::to_string(port + 1),
                             host + std::to_string(port + 2)};
    }
    error = "tcp base needs host:port with port 1-" + std::to_string(kTcpBasePortMax) + ": " + base;
    return std::nullopt;
  }
  error = "base spec must be ipc:// or tcp://: " + base;
  return std::nullopt;
}

}  // namespace zedge::hello
