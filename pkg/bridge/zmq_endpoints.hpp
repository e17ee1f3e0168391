// Where the stream-mode sockets of one --zclient-stream base live:
// ipc bases take the suffixes -out, -out-stream and -in; tcp bases use port, port+1, port+2.
#pragma once

#include <optional>
#include <string>

namespace zedge::bridge {

struct StreamEndpoints {
  std::string out;         // PUSH: first packet of each session
  std::string out_stream;  // ROUTER: later packets to a handler identity
  std::string in;          // SUB: everything handlers publish
};

// Returns nullopt and sets `error` when the base is neither ipc:// nor tcp://host:port.
std::optional<StreamEndpoints> stream_endpoints(const std::string& base, std::string& error);

// The filesystem path of an ipc:// endpoint, or "" for other transports.
std::string ipc_path(const std::string& endpoint);

}  // namespace zedge::bridge
