// zedge: a ZHTTP connection manager, drop-in for Condure 1.9. This file only parses the
// command line, wires the server together and waits for a signal.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <thread>

#include "config/config.hpp"
#include "log/log.hpp"
#include "server/object_sizes.hpp"
#include "server/server.hpp"

namespace {

constexpr const char* kLog = "zedge";

sigset_t termination_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGQUIT);
  return set;
}

}  // namespace

int main(int argc, char** argv) {
  const auto parsed = zedge::config::parse_args(argc, argv);
  switch (parsed.action) {
    case zedge::config::ParseResult::Action::Help:
    case zedge::config::ParseResult::Action::Version:
      std::printf("%s\n", parsed.message.c_str());
      return 0;
    case zedge::config::ParseResult::Action::Error:
      // One line and status 1 for every command-line error (Condure uses 2 for usage
      // errors; supervisors only look for non-zero).
      std::fprintf(stderr, "zedge: %s\n", parsed.message.c_str());
      return 1;
    case zedge::config::ParseResult::Action::Run:
      break;
  }
  const auto& config = parsed.config;
  zedge::log::set_level(config.log_level);
  if (config.sizes) {
    std::fputs(zedge::server::object_sizes_report().c_str(), stdout);
    return 0;
  }

  // Signals are taken synchronously by this thread only; every other thread inherits the mask.
  const sigset_t signals = termination_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  LOG_INFO(kLog, "starting...");
  zedge::server::Server server(config);
  if (auto error = server.start()) {
    LOG_ERROR(kLog, *error);
    return 1;
  }
  LOG_INFO(kLog, "started");

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  LOG_INFO(kLog, "stopping...");
  // A second signal while stopping means "now" (as Condure, reference §2.3).
  std::thread([signals] {
    int again = 0;
    sigwait(&signals, &again);
    std::_Exit(1);
  }).detach();
  server.stop();
  LOG_INFO(kLog, "stopped");
  return 0;
}
