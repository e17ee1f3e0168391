#include "drain_options.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>
#include <cmath>
#include <string_view>

#include "take_flag_value.hpp"

namespace zedge::drain {
namespace {

using tools::take_flag_value;

constexpr double kMaxSeconds = 86400;

bool starts_with(std::string_view s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

std::optional<std::uint16_t> parse_port(std::string_view text) {
  unsigned port = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, port);
  if (text.empty() || ec != std::errc{} || ptr != end || port == 0 || port > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(port);
}

bool numeric_ipv4(const std::string& host) {
  in_addr address{};
  return ::inet_pton(AF_INET, host.c_str(), &address) == 1;
}

bool numeric_ipv6(const std::string& host) {
  in6_addr address{};
  return ::inet_pton(AF_INET6, host.c_str(), &address) == 1;
}

}  // namespace

bool parse_admin_endpoint(const std::string& text, AdminEndpoint& out) {
  if (auto port = parse_port(text)) {
    out = AdminEndpoint{"127.0.0.1", *port, false};
    return true;
  }
  if (starts_with(text, "[")) {
    const std::size_t close = text.find("]:");
    if (close == std::string::npos) return false;
    const std::string host = text.substr(1, close - 1);
    const auto port = parse_port(std::string_view(text).substr(close + 2));
    if (!port || !numeric_ipv6(host)) return false;
    out = AdminEndpoint{host, *port, true};
    return true;
  }
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  const std::string host = text.substr(0, colon);
  const auto port = parse_port(std::string_view(text).substr(colon + 1));
  if (!port || !numeric_ipv4(host)) return false;
  out = AdminEndpoint{host, *port, false};
  return true;
}

std::optional<double> parse_seconds(const std::string& text) {
  double seconds = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, seconds, std::chars_format::fixed);
  if (text.empty() || ec != std::errc{} || ptr != end || !std::isfinite(seconds) || seconds < 0 ||
      seconds > kMaxSeconds) {
    return std::nullopt;
  }
  return seconds;
}

std::string to_string(const AdminEndpoint& endpoint) {
  const std::string host = endpoint.ipv6 ? "[" + endpoint.host + "]" : endpoint.host;
  return host + ":" + std::to_string(endpoint.port);
}

std::optional<std::string> parse_options(int argc, char** argv, DrainOptions& out) {
  std::optional<std::string> error;
  for (int i = 1; i < argc && !error; ++i) {
    const std::string_view arg = argv[i];
    std::string value;
    if (arg == "--help" || arg == "-h") {
      out.help = true;
    } else if (arg == "--version") {
      out.version = true;
    } else if (take_flag_value(argc, argv, i, "--admin", value, error)) {
      if (!error && !parse_admin_endpoint(value, out.admin)) {
        error = "--admin must be ADDR:PORT with a numeric address, [IPv6]:PORT or a port: " + value;
      }
    } else if (take_flag_value(argc, argv, i, "--delay", value, error)) {
      const auto seconds = parse_seconds(value);
      if (!error && !seconds) error = "--delay must be a number of seconds from 0 to 86400: " + value;
      if (seconds) out.delay_seconds = *seconds;
    } else if (take_flag_value(argc, argv, i, "--timeout", value, error)) {
      out.timeout_seconds = parse_seconds(value);
      if (!error && !out.timeout_seconds) error = "--timeout must be a number of seconds from 0 to 86400: " + value;
    } else if (take_flag_value(argc, argv, i, "--token-file", value, error)) {
      if (!error && value.empty()) error = "--token-file needs a path";
      out.token_file = value;
    } else if (take_flag_value(argc, argv, i, "--install-to", value, error)) {
      if (!error && value.empty()) error = "--install-to needs a directory";
      out.install_dir = value;
    } else {
      error = "unknown option: " + std::string(arg);
    }
  }
  return error;
}

std::string usage_text() {
  return "Usage: zedge-drain [--admin=ADDR:PORT] [--delay=SECONDS] [--timeout=SECONDS]\n"
         "                   [--token-file=PATH]\n"
         "       zedge-drain --install-to=DIR\n"
         "\n"
         "Drains the zedge of this pod through its admin API and waits until the drain is\n"
         "over; made for a Kubernetes preStop exec hook, in any container of the pod (it is\n"
         "a static binary: it needs no shell, libc or other file in the image).\n"
         "\n"
         "It waits --delay seconds first (zedge serving normally while the pod leaves the\n"
         "Service endpoints), sends POST /drain {\"timeout_seconds\": T, \"stop_accepting\":\n"
         "false, \"exit\": false} (when a drain is already running it waits for that one),\n"
         "then asks GET /status every 100 ms until the drain is over: its deadline passed,\n"
         "the listeners closed and no client connection left. zedge keeps running; the\n"
         "SIGTERM that follows makes it exit at once.\n"
         "\n"
         "  --admin=ADDR:PORT   zedge's admin API: numeric IPv4 ADDR:PORT, [IPv6]:PORT, or a\n"
         "                      port alone for 127.0.0.1 (default 127.0.0.1:9090)\n"
         "  --delay=SECONDS     wait this long before asking for the drain (default 0)\n"
         "  --timeout=SECONDS   the drain deadline T (default: zedge's --drain-timeout)\n"
         "  --token-file=PATH   send the file's first line as a bearer token (POSTs from\n"
         "                      loopback need none)\n"
         "  --install-to=DIR    copy this binary to DIR/zedge-drain (mode 0755) and exit\n"
         "  -h, --help          show this help\n"
         "  --version           print the version\n"
         "\n"
         "Exit status: 0 the drain is over, or zedge exited while it ran; 1 zedge could not\n"
         "be reached or refused the drain, or the drain was cancelled or not over 2 s after\n"
         "its deadline (one line on stderr says which; no retries, so a failing hook ends\n"
         "quickly and Kubernetes goes on stopping the container); 2 a usage error.\n";
}

}  // namespace zedge::drain
