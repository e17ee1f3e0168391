// zedge: a ZHTTP connection manager, drop-in for Condure 1.9. This file only parses the
// command line, wires the server together and waits for a signal.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <cstdlib>
#include <thread>

#include "admin/admin_server.hpp"
#include "config/config.hpp"
#include "log/log.hpp"
#include "server/object_sizes.hpp"
#include "server/server.hpp"
#include "server/server_admin.hpp"

namespace {

constexpr const char* kLog = "zedge";
// How often the main thread looks whether a stop was asked for or a drain is over.
constexpr auto kExitPollInterval = std::chrono::milliseconds(50);

sigset_t termination_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGQUIT);
  return set;
}

// --admin-token, or the first line of --admin-token-file. nullopt (logged) if unreadable.
std::optional<std::string> read_admin_token(const zedge::config::Config& config) {
  if (config.admin_token_file.empty()) return config.admin_token;
  std::ifstream file(config.admin_token_file);
  std::string token;
  if (!file || !std::getline(file, token) || token.empty()) {
    LOG_ERROR(kLog, "cannot read an admin token from " << config.admin_token_file);
    return std::nullopt;
  }
  return token;
}

}  // namespace

int main(int argc, char** argv) {
  const auto parsed = zedge::config::parse_args(argc, argv);
  switch (parsed.action) {
    case zedge::config::ParseResult::Action::Help:
    case zedge::config::ParseResult::Action::Version:
      std::printf("%s\n", parsed.message.c_str());
      return parsed.exit_code;
    case zedge::config::ParseResult::Action::Error:
      // One line; status 1 for a bad value, 2 for a malformed command line, as Condure.
      std::fprintf(stderr, "zedge: %s\n", parsed.message.c_str());
      return parsed.exit_code;
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
  // The admin API, when --admin-listen asks for it.
  zedge::server::ServerAdmin admin_backend(server);
  std::unique_ptr<zedge::admin::AdminServer> admin;
  if (config.admin_listen) {
    zedge::admin::AdminServerOptions options;
    options.address = config.admin_listen->address;
    options.port = config.admin_listen->port;
    auto token = read_admin_token(config);
    if (!token) {
      server.stop();
      return 1;
    }
    options.token = *token;
    options.drain_defaults.timeout = std::chrono::seconds(config.drain_timeout_seconds);
    options.drain_defaults.stop_accepting = false;
    admin = std::make_unique<zedge::admin::AdminServer>(admin_backend, options);
    if (auto error = admin->start()) {
      LOG_ERROR(kLog, *error);
      server.stop();
      return 1;
    }
    LOG_INFO(kLog, "admin API on " << options.address << ":" << admin->port());
  }
  LOG_INFO(kLog, "started");

  // SIGTERM drains (Kubernetes' stop signal): requests and streams get --drain-timeout to
  // finish, then zedge exits; a second SIGTERM exits at once. SIGINT and SIGQUIT stop at
  // once, as Condure does on every signal. A third signal of any kind
  // ends the process without cleanup.
  std::atomic<bool> stop_now{false};
  std::thread([&server, &config, &stop_now, signals] {
    int stops = 0;
    bool terminating = false;
    for (;;) {
      int signal_number = 0;
      if (sigwait(&signals, &signal_number) != 0) continue;
      if (signal_number == SIGTERM && !terminating && stops == 0) {
        // A drain the admin API started (a preStop hook, say) keeps its deadline and now
        // exits when done; otherwise one starts with --drain-timeout.
        terminating = true;
        if (server.draining()) {
          server.quit();
        } else {
          zedge::admin::DrainOptions plan;
          plan.timeout = std::chrono::seconds(config.drain_timeout_seconds);
          plan.stop_accepting = false;
          plan.exit_when_done = true;
          server.start_drain(plan);
        }
        continue;
      }
      if (++stops >= 2) std::_Exit(1);
      stop_now.store(true);
    }
  }).detach();

  while (!stop_now.load() && !server.drain_finished()) std::this_thread::sleep_for(kExitPollInterval);
  LOG_INFO(kLog, "stopping...");
  if (admin) admin->stop();
  server.stop();
  LOG_INFO(kLog, "stopped");
  return 0;
}
