// Who may mutate: loopback x token configured x Authorization presented, through the
// router (so the 401/403 bodies and headers are checked too).
#include "admin/admin_auth.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "admin/admin_router.hpp"
#include "fake_backend.hpp"

namespace zedge::admin {
namespace {

constexpr const char* kToken = "s3cret-token";

struct AuthCase {
  const char* token;  // configured ("" none)
  bool loopback;
  const char* authorization;  // nullptr: no header
  int status;                 // of POST /drain
};

TEST(AdminAuth, Matrix) {
  const AuthCase cases[] = {
      // No token configured: loopback only; a header changes nothing.
      {"", true, nullptr, 202},
      {"", true, "Bearer anything", 202},
      {"", false, nullptr, 403},
      {"", false, "Bearer s3cret-token", 403},
      // A token configured: it opens the door from anywhere ...
      {kToken, false, "Bearer s3cret-token", 202},
      {kToken, true, "Bearer s3cret-token", 202},
      {kToken, false, "bearer s3cret-token", 202},    // the scheme is case-insensitive
      {kToken, false, "Bearer   s3cret-token", 202},  // extra spaces before the token
      // ... loopback without a header still works; elsewhere it is 401 ...
      {kToken, true, nullptr, 202},
      {kToken, false, nullptr, 401},
      // ... and a wrong token is 401 even from loopback.
      {kToken, true, "Bearer wrong", 401},
      {kToken, false, "Bearer wrong", 401},
      {kToken, false, "Bearer s3cret-toke", 401},
      {kToken, false, "Bearer s3cret-token2", 401},
      {kToken, false, "Bearer S3CRET-TOKEN", 401},
      {kToken, false, "Basic czNjcmV0LXRva2Vu", 401},
      {kToken, false, "Bearer", 401},
      {kToken, false, "Bearer ", 401},
      {kToken, false, "s3cret-token", 401},
      {kToken, false, "", 401},
  };
  for (const auto& c : cases) {
    testing::FakeBackend backend;
    AdminRouter router(backend, AdminRouterOptions{c.token, {}});
    AdminRequest r;
    r.method = "POST";
    r.target = "/drain";
    r.peer_is_loopback = c.loopback;
    if (c.authorization != nullptr) r.headers.push_back({"Authorization", c.authorization});
    const auto response = router.handle(r);
    const std::string what = std::string("token=") + c.token + " loopback=" + (c.loopback ? "yes" : "no") +
                             " auth=" + (c.authorization != nullptr ? c.authorization : "(none)");
    EXPECT_EQ(response.status, c.status) << what;
    EXPECT_EQ(backend.drain_calls, c.status == 202 ? 1 : 0) << what;
    if (c.status == 401) {
      ASSERT_EQ(response.headers.size(), 1U) << what;
      EXPECT_EQ(response.headers[0].first, "WWW-Authenticate");
      EXPECT_EQ(response.headers[0].second, "Bearer realm=\"zedge-admin\"");
    }
    if (c.status == 403) {
      EXPECT_EQ(response.body,
                "{\"error\":\"mutating endpoints are only permitted from loopback (or with the admin token)\"}\n");
    }
  }
}

TEST(AdminAuth, EveryMutatingEndpointIsGatedBeforeItsBodyIsRead) {
  for (const char* path : {"/drain", "/drain/cancel", "/log-level", "/quit", "/handoff"}) {
    testing::FakeBackend backend;
    AdminRouter router(backend, AdminRouterOptions{});
    AdminRequest r;
    r.method = "POST";
    r.target = path;
    r.body = "not json";
    r.peer_is_loopback = false;
    EXPECT_EQ(router.handle(r).status, 403) << path;
    EXPECT_EQ(backend.drain_calls + backend.cancel_calls + backend.quit_calls, 0) << path;
    EXPECT_TRUE(backend.log_levels.empty()) << path;
  }
}

TEST(AdminAuth, ReadsAreOpenToAnyone) {
  testing::FakeBackend backend;
  AdminRouter router(backend, AdminRouterOptions{kToken, {}});
  for (const char* path : {"/livez", "/readyz", "/status", "/connections", "/metrics"}) {
    AdminRequest r;
    r.method = "GET";
    r.target = path;
    r.peer_is_loopback = false;
    r.headers.push_back({"Authorization", "Bearer wrong"});
    EXPECT_EQ(router.handle(r).status, 200) << path;
  }
}

TEST(AdminAuth, ConstantTimeEquals) {
  EXPECT_TRUE(constant_time_equals("", ""));
  EXPECT_TRUE(constant_time_equals("abc", "abc"));
  EXPECT_FALSE(constant_time_equals("abc", "abd"));
  EXPECT_FALSE(constant_time_equals("abc", "ab"));
  EXPECT_FALSE(constant_time_equals("", "a"));
  EXPECT_FALSE(constant_time_equals(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST(AdminAuth, DirectDecisions) {
  EXPECT_EQ(authorize_mutation("", std::nullopt, true), AuthDecision::Allowed);
  EXPECT_EQ(authorize_mutation("", std::nullopt, false), AuthDecision::Forbidden);
  EXPECT_EQ(authorize_mutation("t", std::string_view("Bearer t"), false), AuthDecision::Allowed);
  EXPECT_EQ(authorize_mutation("t", std::nullopt, false), AuthDecision::Unauthorized);
}

}  // namespace
}  // namespace zedge::admin
