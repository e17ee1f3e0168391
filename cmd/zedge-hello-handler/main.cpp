// zedge-hello-handler: the bundled example ZHTTP handler and the benchmark handler.
// Flags are parsed here; the handler itself is in hello_handler.cpp.
#include <csignal>
#include <cstdio>
#include <iostream>

#include "handler_options.hpp"
#include "hello_handler.hpp"

namespace {

volatile std::sig_atomic_t g_stop = 0;

extern "C" void request_stop(int) { g_stop = 1; }

// No SA_RESTART: the signal must interrupt zmq_poll so the loop sees the flag at once.
void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = request_stop;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace zedge::hello;
  constexpr int kExitUsage = 2;
  constexpr int kExitFailure = 1;

  HandlerOptions options;
  if (auto error = parse_options(argc, argv, options)) {
    std::cerr << "zedge-hello-handler: " << *error << "\n\n" << usage_text();
    return kExitUsage;
  }
  if (options.help) {
    std::cout << usage_text();
    return 0;
  }

  install_stop_handlers();
  HelloHandler handler(options);
  std::string error;
  if (!handler.open(error) || !handler.run(g_stop, error)) {
    std::cerr << "zedge-hello-handler: " << error << "\n";
    return kExitFailure;
  }
  const HandlerCounters& c = handler.counters();
  std::cerr << "zedge-hello-handler: answered " << c.stream_answered << " stream and " << c.req_answered
            << " req requests; ignored " << c.ignored << ", malformed " << c.malformed << ", send failed "
            << c.send_failed << "\n";
  const WsEchoCounters& ws = handler.ws_counters();
  if (ws.accepted != 0 || ws.unknown_session != 0) {
    std::cerr << "zedge-hello-handler: websocket: accepted " << ws.accepted << ", echoed " << ws.data_packets_echoed
              << " data packets, returned credits in " << ws.credit_packets_sent << " packets, got credits in "
              << ws.credit_packets_received << " packets, closed " << ws.closed << ", packets for unknown sessions "
              << ws.unknown_session << " (" << ws.cancels_sent << " answered with cancel)\n";
  }
  return 0;
}
