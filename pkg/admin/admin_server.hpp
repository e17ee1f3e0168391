// The admin listener: its own thread and io_context, so a slow scrape or a
// status call that waits on the workers never runs on a data-path thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "admin/admin_backend.hpp"

namespace zedge::admin {

// More would only let a misbehaving client hold the admin thread's sockets; past it the
// listener stops accepting until one closes (the kernel's backlog holds the rest).
inline constexpr std::size_t kMaxAdminConnections = 64;

struct AdminServerOptions {
  std::string address = "127.0.0.1";  // IP literal ("::1" or "[::1]") or "localhost"
  std::uint16_t port = 0;             // 0: any free port (see port())
  std::string token;                  // bearer token for mutations; empty: loopback only
  DrainOptions drain_defaults;        // for the fields a POST /drain body leaves out
};

class AdminServer {
 public:
  AdminServer(AdminBackend& backend, AdminServerOptions options);
  ~AdminServer();  // stop()
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Binds and listens on the caller's thread, then starts the admin thread. Returns an
  // error text (e.g. "admin listener 127.0.0.1:9901: Address already in use") on failure.
  std::optional<std::string> start();
  // The bound port (the real one when options.port was 0); 0 before start().
  std::uint16_t port() const;
  // Closes the listener and every admin connection and joins the thread. Idempotent.
  // Called on the admin thread itself (from a backend call), it closes them and returns;
  // the join is left to a later stop() or the destructor on another thread.
  void stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace zedge::admin
