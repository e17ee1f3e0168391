// The admin API's endpoints (api/admin.openapi.yaml): a request in, a response out, the
// server's state through AdminBackend. Sans-I/O, so every endpoint, method, status and
// the auth matrix are unit-tested without sockets.
//
//   GET  /livez /readyz /status /connections /metrics   (HEAD too; open to anyone)
//   POST /drain /drain/cancel /log-level /quit /handoff  (loopback or bearer token)
//
// Order of checks: unknown path 404, wrong method 405 (with Allow), then for POST the auth
// rule (admin_auth.hpp: 403 / 401), then the body (400) and the backend's answer.
#pragma once

#include <string>

#include "admin/admin_backend.hpp"
#include "admin/admin_message.hpp"

namespace zedge::admin {

struct AdminRouterOptions {
  std::string token;            // empty: mutations from loopback only
  DrainOptions drain_defaults;  // for the fields a POST /drain body leaves out
};

class AdminRouter {
 public:
  AdminRouter(AdminBackend& backend, AdminRouterOptions options);

  AdminResponse handle(const AdminRequest& request);

 private:
  AdminResponse livez();
  AdminResponse readyz();
  AdminResponse status(int code);
  AdminResponse connections();
  AdminResponse metrics();
  AdminResponse drain(const AdminRequest& request);
  AdminResponse cancel_drain();
  AdminResponse log_level(const AdminRequest& request);
  AdminResponse quit();
  AdminResponse handoff();

  AdminBackend& backend_;
  AdminRouterOptions options_;
};

}  // namespace zedge::admin
