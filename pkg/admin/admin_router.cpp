#include "admin/admin_router.hpp"

#include <array>
#include <optional>
#include <string_view>
#include <utility>

#include "admin/admin_auth.hpp"
#include "admin/admin_request_body.hpp"
#include "admin/status_json.hpp"
#include "metrics/prometheus_text.hpp"

namespace zedge::admin {
namespace {

enum class Endpoint { Livez, Readyz, Status, Connections, Metrics, Drain, DrainCancel, LogLevel, Quit, Handoff };

struct Route {
  std::string_view path;
  Endpoint endpoint;
  bool mutating;  // POST only and gated by admin_auth; else GET/HEAD and open
};

constexpr std::array<Route, 10> kRoutes = {{
    {"/livez", Endpoint::Livez, false},
    {"/readyz", Endpoint::Readyz, false},
    {"/status", Endpoint::Status, false},
    {"/connections", Endpoint::Connections, false},
    {"/metrics", Endpoint::Metrics, false},
    {"/drain", Endpoint::Drain, true},
    {"/drain/cancel", Endpoint::DrainCancel, true},
    {"/log-level", Endpoint::LogLevel, true},
    {"/quit", Endpoint::Quit, true},
    {"/handoff", Endpoint::Handoff, true},
}};

const Route* find_route(std::string_view target) {
  const std::string_view path = target.substr(0, target.find('?'));
  for (const auto& r : kRoutes) {
    if (r.path == path) return &r;
  }
  return nullptr;
}

AdminResponse json(int status, std::string body) {
  return AdminResponse{status, std::string(kJsonContentType), std::move(body), {}};
}

AdminResponse text(int status, std::string body) {
  return AdminResponse{status, std::string(kTextContentType), std::move(body), {}};
}

AdminResponse error(int status, std::string_view message) { return json(status, error_json(message)); }

// 405 must say which methods would work (RFC 9110 §15.5.6).
AdminResponse method_not_allowed(bool mutating) {
  auto response = error(405, mutating ? "method not allowed: use POST" : "method not allowed: use GET");
  response.headers.emplace_back("Allow", mutating ? "POST" : "GET, HEAD");
  return response;
}

std::optional<std::string_view> authorization_of(const AdminRequest& request) {
  const auto* h = request.find("Authorization");
  if (h == nullptr) return std::nullopt;
  return std::string_view(h->value);
}

}  // namespace

AdminRouter::AdminRouter(AdminBackend& backend, AdminRouterOptions options)
    : backend_(backend), options_(std::move(options)) {}

AdminResponse AdminRouter::handle(const AdminRequest& request) {
  const Route* route = find_route(request.target);
  if (route == nullptr) return error(404, "not found");

  const bool read = request.method == "GET" || request.method == "HEAD";
  if (route->mutating ? request.method != "POST" : !read) return method_not_allowed(route->mutating);

  if (route->mutating) {
    switch (authorize_mutation(options_.token, authorization_of(request), request.peer_is_loopback)) {
      case AuthDecision::Allowed: break;
      case AuthDecision::Forbidden:
        return error(403, "mutating endpoints are only permitted from loopback (or with the admin token)");
      case AuthDecision::Unauthorized: {
        // RFC 6750 §3: a bearer challenge with a 401.
        auto response = error(401, "a valid bearer token is required");
        response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"zedge-admin\"");
        return response;
      }
    }
  }

  switch (route->endpoint) {
    case Endpoint::Livez: return livez();
    case Endpoint::Readyz: return readyz();
    case Endpoint::Status: return status(200);
    case Endpoint::Connections: return connections();
    case Endpoint::Metrics: return metrics();
    case Endpoint::Drain: return drain(request);
    case Endpoint::DrainCancel: return cancel_drain();
    case Endpoint::LogLevel: return log_level(request);
    case Endpoint::Quit: return quit();
    case Endpoint::Handoff: return handoff();
  }
  return error(500, "unrouted endpoint");
}

AdminResponse AdminRouter::livez() {
  return backend_.alive() ? text(200, "live\n") : text(503, "not live: an event loop did not answer\n");
}

AdminResponse AdminRouter::readyz() {
  const auto reason = backend_.not_ready_reason();
  return reason ? text(503, "not ready: " + *reason + "\n") : text(200, "ready\n");
}

AdminResponse AdminRouter::status(int code) {
  // Readiness first: a status taken after it can only show a later state.
  const auto reason = backend_.not_ready_reason();
  return json(code, status_json(backend_.status(), reason));
}

AdminResponse AdminRouter::connections() { return json(200, connections_json(backend_.status())); }

AdminResponse AdminRouter::metrics() {
  std::string text = metrics::render_prometheus(backend_.metrics());
  return AdminResponse{200, std::string(metrics::kPrometheusContentType), std::move(text), {}};
}

AdminResponse AdminRouter::drain(const AdminRequest& request) {
  std::string why;
  const auto options = parse_drain_body(request.body, options_.drain_defaults, why);
  if (!options) return error(400, why);
  if (!backend_.start_drain(*options)) return error(409, "already draining");
  return status(202);
}

AdminResponse AdminRouter::cancel_drain() {
  if (!backend_.cancel_drain()) return error(409, "no drain to cancel (or its listeners are already closed)");
  return status(200);
}

AdminResponse AdminRouter::log_level(const AdminRequest& request) {
  std::string why;
  const auto level = parse_log_level_body(request.body, why);
  if (!level) return error(400, why);
  backend_.set_log_level(*level);
  return json(200, log_level_json(*level));
}

AdminResponse AdminRouter::quit() {
  backend_.quit();
  return status(202);
}

AdminResponse AdminRouter::handoff() {
  return error(501, "handoff is not implemented yet; the path is reserved for it");
}

}  // namespace zedge::admin
