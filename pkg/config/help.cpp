// --help and --version. The help covers every flag with its default, in the order Condure
// declares them; wording is zedge's own.
#include "config/config.hpp"

#ifndef ZEDGE_VERSION
#error "ZEDGE_VERSION must be defined by the build (add_compile_definitions in CMakeLists.txt)"
#endif

namespace zedge::config {

std::string version_text() { return std::string("zedge ") + ZEDGE_VERSION; }

std::string help_text() {
  return version_text() + R"(
Holds HTTP and WebSocket client connections and relays them to ZHTTP handlers
over ZeroMQ. Accepts the command line of Condure 1.9.1, so Pushpin can run it in
Condure's place.

Usage: zedge [OPTIONS]

Every option taking a value accepts both "--option VALUE" and "--option=VALUE".
Options Condure does not have are listed last, under "zedge's own options".

Options:
      --log-level <N>
          How much to log: 0 errors, 1 warnings, 2 info, 3 debug, 4 or more trace
          [default: 2]
      --id <ID>
          Instance ID handlers see as the sender of every message; must be non-empty
          and contain no spaces [default: condure]
      --workers <N>
          Number of worker threads, 1 to 1024 [default: 2]
      --req-maxconn <N>
          Most connections open at once on req-mode listeners, split evenly between
          workers; at least --workers. Past it, new clients get 503 [default: 100]
      --stream-maxconn <N>
          Most connections open at once on stream-mode listeners, split evenly between
          workers; at least --workers. The two limits together may not exceed
          10000000. Past it, new clients get 503 [default: 10000]
      --buffer-size <N>
          Largest request head in bytes; also the credits offered to handlers and the
          largest body piece per packet [default: 8192]
      --body-buffer-size <N>
          Largest request body, in bytes, read before a req-mode request is forwarded
          [default: 100000]
      --messages-max <N>
          Most handler messages queued toward one WebSocket client; past it the
          connection is closed [default: 100]
      --req-timeout <N>
          Seconds a req-mode client may take per request and response [default: 30]
      --stream-timeout <N>
          Seconds without client I/O (either direction) before a stream-mode
          connection is closed [default: 1800]
      --listen <[addr:]port[,params...]>...
          Accept clients here; repeat the option (or list several values after it) for
          more listeners. addr is an IPv4 address or a bracketed IPv6 address such as
          [::1]; a bare port means 0.0.0.0. Params, comma-separated:
            stream           hand requests to handlers in stream mode (the default)
            req              hand requests to handlers in req mode
            tls              serve TLS (1.2 and 1.3), picking the identity by SNI:
                             NAME.crt/.key, then _.PARENT (one level), then
                             default-cert; files are re-read when they change
            default-cert=NAME  identity used when SNI is absent or unknown
            local            the first part is a unix socket path, not [addr:]port
            mode=OCTAL, user=NAME, group=NAME
                             permissions and owner of a local socket (from Condure 1.10)
          [default: 0.0.0.0:8000,stream, used only when no --listen is given]
      --zclient-req <spec>...
          ZeroMQ endpoint of the DEALER socket for req mode, ipc://PATH or
          tcp://HOST:PORT; values given replace the default [default: ipc://client]
      --zclient-stream <spec-base>...
          ZeroMQ base for stream mode: ipc://PATH gives PATH-out (PUSH), PATH-out-stream
          (ROUTER) and PATH-in (SUB); tcp://HOST:PORT gives ports PORT, PORT+1 and
          PORT+2. Values given replace the default [default: ipc://client]
      --zclient-connect
          Connect the ZeroMQ sockets to the handlers instead of binding them
      --ipc-file-mode <octal>
          Permissions set on ipc:// socket files after binding [default: left as created]
      --tls-identities-dir <directory>
          Where tls listeners find NAME.crt and NAME.key [default: .]
      --compression
          Let WebSocket clients negotiate permessage-deflate; handlers always see
          uncompressed messages
      --sizes
          Print the sizes of internal objects and exit

zedge's own options:
      --zhttp-keepalive-interval <N>
          Seconds between the batched keep-alive packets sent for open sessions
          [default: 45]
      --zhttp-session-timeout <N>
          Seconds a handler may stay silent on a session before it is closed
          [default: 60]
      --header-timeout <N>
          Seconds a client has from the first byte of a request head to its end,
          then it is closed; 0 leaves heads to the timers above [default: 30]
      --handler-wait-ms <N>
          With no handler connected, milliseconds a request waits for one before it
          is answered 503 [default: 5000]
      --admin-listen <[addr:]port>
          Serve the admin API (health, readiness, status, /metrics, drain) here; a
          bare port listens on 127.0.0.1 [default: none, no admin API]
      --admin-token <TOKEN>
          Bearer token that lets non-loopback peers call the admin API's POST
          endpoints (without one they get 403)
      --admin-token-file <PATH>
          Read the admin token from this file instead
      --drain-timeout <N>
          Seconds a drain started by SIGTERM lets requests and streams finish before
          WebSockets get close 1001, the rest is closed and zedge exits. A second
          SIGTERM exits at once. SIGINT and SIGQUIT stop without draining [default: 25]
      --ready-handler-grace <N>
          Seconds readiness stays 200 after the last handler disconnected; before
          any handler connects it is 503 [default: 5]
      --discovery-interval <N>
          With --zclient-connect and a tcp base whose host is a DNS name (a headless
          Service), look the name up every N seconds and connect to every A/AAAA
          record, leaving records that vanish; 0 turns it off [default: 10]
      --discovery-dns-server <ip:port>
          DNS server for discovery [default: the system's, from /etc/resolv.conf]
      --websocket-message-max <N>
          Largest WebSocket message a client may send, in bytes (after inflating);
          a larger one closes the connection with code 1009 [default: 16777216]

  -h, --help
          Print this help and exit
  -V, --version
          Print the version and exit)";
}

}  // namespace zedge::config
