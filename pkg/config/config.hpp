// zedge's command line: every Condure 1.9.1 flag with Condure's defaults and --listen
// syntax, plus zedge's own flags.
// Parsing is pure: argv in, Config or an error message out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace zedge::config {

// Condure's safety limits (src/main.rs WORKERS_MAX, CONNS_MAX).
inline constexpr unsigned kWorkersMax = 1024;
inline constexpr std::uint64_t kTotalMaxconnMax = 10'000'000;
// Largest permission mode accepted by --ipc-file-mode and the listen param mode=.
inline constexpr std::uint32_t kFileModeMax = 07777;

enum class ListenMode { Stream, Req };

struct ListenSpec {
  // TCP: address text as given without brackets ("0.0.0.0", "::1") and port 0..65535
  // (0 = ephemeral, as condure allows). A numeric IPv6 scope stays in the text ("fe80::1%2").
  // Unix socket (`local`): path holds the filesystem path, address is empty and port is 0.
  // Params that do not apply to the listener kind are accepted and dropped, as condure does:
  // tls/default-cert on `local`, mode/user/group on TCP.
  std::string address;
  std::uint16_t port = 0;
  bool ipv6 = false;
  bool local = false;
  std::string path;
  ListenMode mode = ListenMode::Stream;
  bool tls = false;
  std::string default_cert;
  std::optional<std::uint32_t> local_mode;  // mode=<octal> (unix sockets)
  std::string local_user;                   // user=<name>
  std::string local_group;                  // group=<name>
  // An already-listening socket handed over by the parent (zedge's own): `fd:N` names the
  // descriptor, `systemd:NAME` the LISTEN_FDNAMES entry (or `systemd:INDEX`) of socket
  // activation. The listener kind (TCP or unix) comes from the socket itself.
  std::optional<int> inherited_fd;
  std::string systemd_name;
  bool inherited() const { return inherited_fd.has_value() || !systemd_name.empty(); }

  std::string to_string() const;  // as it would be written on the command line
};

// Parses one --listen value: "[addr:]port[,params...]", "[v6]:port[,...]", "path,local[,...]".
// Returns the one-line error message on failure (out is then untouched).
std::optional<std::string> parse_listen(const std::string& value, ListenSpec& out);

struct Config {
  int log_level = 2;  // 0 error .. 4 trace; larger values given on the command line become 4
  std::string id = "condure";
  unsigned workers = 2;
  std::uint64_t req_maxconn = 100;
  std::uint64_t stream_maxconn = 10000;
  std::size_t buffer_size = 8192;
  std::size_t body_buffer_size = 100000;
  std::size_t messages_max = 100;
  std::uint64_t req_timeout_seconds = 30;
  std::uint64_t stream_timeout_seconds = 1800;
  std::vector<ListenSpec> listens;  // default: one "0.0.0.0:8000,stream" when none given
  std::vector<std::string> zclient_req = {"ipc://client"};
  std::vector<std::string> zclient_stream = {"ipc://client"};
  bool zclient_connect = false;
  std::optional<std::uint32_t> ipc_file_mode;  // octal; unset when absent or 0 (condure: leave as is)
  std::string tls_identities_dir = ".";
  bool compression = false;
  bool sizes = false;  // --sizes: only --log-level is validated; the rest keeps defaults
  // zedge's own flags.
  // How often open sessions get a batched keep-alive (Condure: fixed 45 s).
  std::uint64_t zhttp_keepalive_interval_seconds = 45;
  // Handler silence that closes a session (Condure: fixed 60 s).
  std::uint64_t zhttp_session_timeout_seconds = 60;
  std::uint64_t header_timeout_seconds = 30;  // 0: off
  // With no handler connected, how long a request waits for one before a 503.
  std::uint64_t handler_wait_ms = 5000;
  // Largest WebSocket message a client may send, in bytes (1009 past it).
  std::uint64_t websocket_message_max = 16U * 1024U * 1024U;
  // Admin API (api/admin.openapi.yaml): off unless --admin-listen is given.
  std::optional<ListenSpec> admin_listen;
  std::string admin_token;       // bearer token for mutating endpoints from non-loopback peers
  std::string admin_token_file;  // or read from this file at start (trailing newline dropped)
  // SIGTERM drains for this long before exiting (fits Kubernetes' default 30 s grace).
  std::uint64_t drain_timeout_seconds = 25;
  // Readiness stays 200 this long after the last handler disconnected (a restart blip).
  std::uint64_t ready_handler_grace_seconds = 5;
  // Gateway mode: how often a --zclient-stream tcp base named by DNS is looked up again
  // (0: off, ZeroMQ connects to one address), and which DNS server to ask.
  std::uint64_t discovery_interval_seconds = 10;
  std::string discovery_dns_server;
};

struct ParseResult {
  enum class Action { Run, Help, Version, Error } action = Action::Run;
  Config config;
  std::string message;  // help text, version text, or the one-line error
  // zedge's exit status for this outcome, as Condure's: 0 run/help/version, 1 for a bad
  // value (condure logs it), 2 for a malformed command line (unknown flag, missing value,
  // flag repeated, stray argument: clap's usage errors).
  int exit_code = 0;
};

// argv[0] is the program name. Accepts "--flag value" and "--flag=value".
ParseResult parse_args(int argc, const char* const* argv);

// Both without a trailing newline; version_text() is "zedge <ZEDGE_VERSION>".
std::string help_text();
std::string version_text();

}  // namespace zedge::config
