// The hello handler proper: one thread, raw libzmq sockets, zmq_poll. Answers every
// stream-mode request (PULL -> PUB) and req-mode request (ROUTER -> ROUTER) with the
// same 200 text/plain response (like Condure's example basichandler and reqhandler),
// and echoes WebSocket messages (ws_echo.hpp; later packets come on the stream ROUTER),
// cancelling the sessions it does not know.
#pragma once

#include <csignal>
#include <cstdint>
#include <string>
#include <vector>

#include "handler_options.hpp"
#include "ws_echo.hpp"
#include "zhttp/packet.hpp"

namespace zedge::hello {

struct HandlerCounters {
  std::uint64_t stream_answered = 0;
  std::uint64_t req_answered = 0;
  std::uint64_t ignored = 0;    // non-request packets on PULL, cancel/error with no WebSocket open
  std::uint64_t malformed = 0;  // frames that failed zhttp::parse
  std::uint64_t send_failed = 0;
};

class HelloHandler : private PacketSink {
 public:
  explicit HelloHandler(const HandlerOptions& options);
  ~HelloHandler() override;
  HelloHandler(const HelloHandler&) = delete;
  HelloHandler& operator=(const HelloHandler&) = delete;

  // Creates the sockets and binds or connects them. On failure returns false and sets
  // `error`.
  bool open(std::string& error);
  // Serves until `stop` becomes non-zero (set from a signal handler). Returns false on
  // a ZeroMQ error other than an interrupted poll.
  bool run(const volatile std::sig_atomic_t& stop, std::string& error);

  const HandlerCounters& counters() const { return counters_; }
  const WsEchoCounters& ws_counters() const { return ws_echo_.counters(); }

 private:
  void* open_socket(int type, std::string& error);
  bool attach(void* socket, const std::string& endpoint, std::string& error);
  void drain_pull();
  void drain_stream_router();
  void drain_req_router();
  void answer_stream(const zhttp::Packet& request);
  // PacketSink, for ws_echo_: "<to> T..." on the PUB socket.
  void publish(std::string_view to, const zhttp::Packet& packet) override;

  HandlerOptions options_;
  void* context_ = nullptr;
  void* pull_ = nullptr;           // new requests from every stream base
  void* stream_router_ = nullptr;  // later packets: WebSocket messages, credits, ...
  void* pub_ = nullptr;            // responses, "<instance> T..."
  void* req_router_ = nullptr;     // req mode, only with --req-spec

  // Reused for every message so the steady state allocates nothing of its own.
  zhttp::Packet request_;
  zhttp::Packet stream_response_;  // from/code/reason/headers/body fixed, id per request
  zhttp::Packet req_response_;     // the same without from (req mode has none)
  std::string out_;
  std::vector<std::string> envelope_;         // req-mode routing frames to echo back
  std::vector<std::string> bound_ipc_paths_;  // removed on exit, as Condure does
  HandlerCounters counters_;
  WsEcho ws_echo_;  // WebSocket sessions; needs options_ (its `from`) and the sockets
};

}  // namespace zedge::hello
