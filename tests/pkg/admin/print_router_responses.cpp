// Prints, one JSON object a line, the router's answer to every endpoint x method in each
// backend state that changes a response, for check_router_responses.py to hold against
// api/admin.openapi.yaml.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <iostream>
#include <string>

#include "admin/admin_router.hpp"
#include "fake_backend.hpp"

namespace {

using zedge::admin::AdminRequest;
using zedge::admin::AdminRouter;
using zedge::admin::AdminRouterOptions;
using zedge::admin::testing::FakeBackend;

void print(AdminRouter& router, const std::string& method, const std::string& target, const std::string& body = "",
           bool loopback = true, const char* authorization = nullptr) {
  AdminRequest request;
  request.method = method;
  request.target = target;
  request.body = body;
  request.peer_is_loopback = loopback;
  if (authorization != nullptr) request.headers.push_back({"Authorization", authorization});
  const auto response = router.handle(request);

  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("method");
  w.String(method.c_str());
  w.Key("target");
  w.String(target.c_str());
  w.Key("status");
  w.Int(response.status);
  w.Key("content_type");
  w.String(response.content_type.c_str());
  w.Key("headers");
  w.StartObject();
  for (const auto& [name, value] : response.headers) {
    w.Key(name.c_str());
    w.String(value.c_str());
  }
  w.EndObject();
  w.Key("body");
  w.String(response.body.c_str(), static_cast<rapidjson::SizeType>(response.body.size()));
  w.EndObject();
  std::cout << buffer.GetString() << "\n";
}

const char* const kPaths[] = {"/livez",        "/readyz",    "/status", "/connections", "/metrics", "/drain",
                              "/drain/cancel", "/log-level", "/quit",   "/handoff",     "/nope"};
const char* const kMethods[] = {"GET", "HEAD", "POST", "PUT", "DELETE"};

}  // namespace

int main() {
  {
    FakeBackend backend;  // healthy, ready; POSTs run in this order and change its state
    AdminRouter router(backend, AdminRouterOptions{});
    for (const char* path : kPaths) {
      for (const char* method : kMethods) print(router, method, path);
    }
    print(router, "POST", "/drain/cancel");  // 200 after the drain above (quit drains too)
    print(router, "POST", "/drain", R"({"timeout_seconds":5,"stop_accepting":false})");  // 202
    print(router, "GET", "/status");                                                     // DRAINING
    print(router, "POST", "/drain");                                                     // 409: already draining
    print(router, "POST", "/drain/cancel");                                              // 200
    print(router, "POST", "/drain/cancel");                                              // 409: nothing to cancel
    print(router, "POST", "/drain", "{bad");
    print(router, "POST", "/log-level", R"({"level":2})");
    print(router, "POST", "/log-level", R"({"level":7})");
    print(router, "GET", "/metrics?x=1");
  }
  {
    FakeBackend backend;  // not alive, not ready
    backend.is_alive = false;
    backend.not_ready = "no handler connected yet";
    backend.snapshot.handlers.clear();
    backend.snapshot.workers.clear();
    backend.snapshot.listeners.clear();
    AdminRouter router(backend, AdminRouterOptions{});
    for (const char* path : {"/livez", "/readyz", "/status", "/connections"}) print(router, "GET", path);
  }
  {
    FakeBackend backend;  // the auth answers
    AdminRouter open(backend, AdminRouterOptions{});
    print(open, "POST", "/drain", "", false);
    AdminRouter token(backend, AdminRouterOptions{"t", {}});
    print(token, "POST", "/quit", "", false);
    print(token, "POST", "/handoff", "", true, "Bearer x");
    print(token, "POST", "/log-level", R"({"level":0})", false, "Bearer t");
  }
  return 0;
}
