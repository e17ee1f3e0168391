// Command line of zedge-hello-handler and the ZeroMQ endpoints it implies.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace zedge::hello {

struct HandlerOptions {
  std::vector<std::string> stream_bases;  // --stream-base (default ipc://client)
  std::vector<std::string> req_specs;     // --req-spec: ROUTER for req mode
  bool bind = false;                      // --bind: zedge/Condure bind by default
  std::string id = "hello-handler";       // --id: our "from" and ROUTER identity
  std::string instance = "condure";       // --instance: zedge's --id, the PUB address
  std::string body = "hello world\n";     // --body
  bool help = false;                      // --help
};

// Parses argv. Returns nullopt on success, else a message for stderr.
std::optional<std::string> parse_options(int argc, char** argv, HandlerOptions& out);

std::string usage_text();

// The three stream-mode endpoints of one base, as Condure derives them.
struct StreamEndpoints {
  std::string out;         // handler PULL  <- zedge PUSH: first packet of each request
  std::string out_stream;  // handler ROUTER <- zedge ROUTER: later packets of a session
  std::string in;          // handler PUB   -> zedge SUB: responses
};

// ipc://path -> path-out, path-out-stream, path-in; tcp://host:port -> port, port+1,
// port+2. Returns nullopt and sets `error` for anything else.
std::optional<StreamEndpoints> stream_endpoints(const std::string& base, std::string& error);

}  // namespace zedge::hello
