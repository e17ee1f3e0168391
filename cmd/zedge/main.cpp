// zedge: a ZHTTP connection manager, drop-in for Condure 1.9. This file only parses the
// command line, wires the server together and runs the control loop until zedge stops.
#include <signal.h>

#include <asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "admin/admin_server.hpp"
#include "config/config.hpp"
#include "log/log.hpp"
#include "server/object_sizes.hpp"
#include "server/server.hpp"
#include "server/server_admin.hpp"
#include "stop_signals.hpp"

namespace {

constexpr const char* kLog = "zedge";

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
    case zedge::config::ParseResult::Action::Run: break;
  }
  const auto& config = parsed.config;
  zedge::log::set_level(config.log_level);
  if (config.sizes) {
    std::fputs(zedge::server::object_sizes_report().c_str(), stdout);
    return 0;
  }
  ::signal(SIGPIPE, SIG_IGN);
  // Threads started from here on leave the termination signals to the control loop.
  zedge::cmd::block_stop_signals_on_this_thread();

  // The control loop: termination signals, and the server's word that a drain asked to
  // exit is over. Either ends its run() while zedge is not stopping yet.
  asio::io_context control;
  bool stopping = false;
  const auto stop = [&control, &stopping] {
    if (!stopping) control.stop();
  };
  zedge::server::Server server(config, control.get_executor(), stop);
  // A drain the admin API started (a preStop hook, say) keeps its deadline and now exits
  // when done; otherwise one starts with --drain-timeout. Once stopping there is none to start.
  const auto drain = [&server, &stopping] {
    if (!stopping) server.quit();
  };
  zedge::cmd::StopSignals signals(control, {drain, stop});

  LOG_INFO(kLog, "starting...");
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

  zedge::cmd::unblock_stop_signals_on_this_thread();
  control.run();
  zedge::cmd::block_stop_signals_on_this_thread();
  stopping = true;
  LOG_INFO(kLog, "stopping...");
  // Joining the threads takes a while (ZeroMQ lingers up to a second), and a further
  // signal must still end the process at once: the control loop goes on meanwhile.
  control.restart();
  std::thread control_thread([&control] {
    zedge::cmd::unblock_stop_signals_on_this_thread();
    control.run();
  });
  if (admin) admin->stop();
  server.stop();
  control.stop();
  control_thread.join();
  LOG_INFO(kLog, "stopped");
  // A signal that comes from here on stays pending (blocked): the exit status stays 0.
  return 0;
}
