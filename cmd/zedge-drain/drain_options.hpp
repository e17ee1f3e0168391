// Command line of zedge-drain.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace zedge::drain {

// Where zedge's admin API listens: a numeric address (no name lookup, so no NSS in a
// static binary) and a port.
struct AdminEndpoint {
  std::string host = "127.0.0.1";  // IPv4 dotted quad or IPv6 (without brackets)
  std::uint16_t port = 9090;
  bool ipv6 = false;
};

struct DrainOptions {
  AdminEndpoint admin;                    // --admin
  double delay_seconds = 0;               // --delay: wait before asking for the drain
  std::optional<double> timeout_seconds;  // --timeout: the drain deadline (else zedge's)
  std::string token_file;                 // --token-file: bearer token, first line
  std::string install_dir;                // --install-to: copy ourselves there and exit
  bool help = false;
  bool version = false;
};

// Parses argv ("--name=value" or "--name value"). Returns nullopt on success, else a
// message for stderr.
std::optional<std::string> parse_options(int argc, char** argv, DrainOptions& out);

// "ADDR:PORT", "[IPv6]:PORT" or a bare "PORT" (127.0.0.1). False for anything else, names
// included.
bool parse_admin_endpoint(const std::string& text, AdminEndpoint& out);

// A number of seconds from 0 to 86400, decimals allowed (POST /drain takes the same range).
std::optional<double> parse_seconds(const std::string& text);

// "ADDR:PORT" as given to --admin, for messages.
std::string to_string(const AdminEndpoint& endpoint);

std::string usage_text();

}  // namespace zedge::drain
