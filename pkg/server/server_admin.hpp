// The admin API's view of the running server (admin::AdminBackend over server::Server).
// Called on the admin thread only; it gathers worker reports by posting to the workers
// and waiting briefly, and reads their counters without stopping them.
#pragma once

#include "admin/admin_backend.hpp"
#include "server/server.hpp"

namespace zedge::server {

class ServerAdmin : public admin::AdminBackend {
 public:
  explicit ServerAdmin(Server& server) : server_(server) {}

  bool alive() override;
  std::optional<std::string> not_ready_reason() override;
  admin::StatusSnapshot status() override;
  metrics::MetricsSnapshot metrics() override;
  bool start_drain(const admin::DrainOptions& options) override;
  bool cancel_drain() override;
  void set_log_level(int level) override;
  void quit() override;

 private:
  Server& server_;
  admin::DrainOptions last_drain_;
};

}  // namespace zedge::server
