#include "websocket/handshake.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace zedge::websocket {
namespace {

TEST(Handshake, AcceptKeyVectors) {
  EXPECT_EQ(accept_key("abcde"), "8m4i+0BpIKblsbf+VgYANfQKX4w=");                     // Condure test
  EXPECT_EQ(accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");  // RFC 6455 §1.3
}

std::vector<HeaderField> good_headers() {
  return {
      {"Host", "example.com"},         {"Upgrade", "websocket"},
      {"Connection", "Upgrade"},       {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
      {"Sec-WebSocket-Version", "13"},
  };
}

TEST(Handshake, AcceptsValidRequest) {
  EXPECT_TRUE(is_websocket_upgrade(good_headers()));
  EXPECT_EQ(check_upgrade_request("GET", good_headers()), std::nullopt);
}

TEST(Handshake, UpgradeTokenIsCaseInsensitiveAndListed) {
  auto h = good_headers();
  h[1] = {"upgrade", "foo, WebSocket "};
  EXPECT_TRUE(is_websocket_upgrade(h));
  EXPECT_EQ(check_upgrade_request("GET", h), std::nullopt);
  h[1] = {"Upgrade", "websocketx"};
  EXPECT_FALSE(is_websocket_upgrade(h));
  EXPECT_NE(check_upgrade_request("GET", h), std::nullopt);
}

TEST(Handshake, RejectsWrongMethod) {
  EXPECT_EQ(check_upgrade_request("POST", good_headers()), "WebSocket upgrade requires the GET method");
  EXPECT_NE(check_upgrade_request("get", good_headers()), std::nullopt);
}

TEST(Handshake, RejectsMissingOrBadKey) {
  auto h = good_headers();
  h.erase(h.begin() + 3);
  EXPECT_EQ(check_upgrade_request("GET", h), "missing Sec-WebSocket-Key");
  auto empty = good_headers();
  empty[3].value = "  ";
  EXPECT_EQ(check_upgrade_request("GET", empty), "empty Sec-WebSocket-Key");
  auto twice = good_headers();
  twice.push_back({"sec-websocket-key", "abcde"});
  EXPECT_EQ(check_upgrade_request("GET", twice), "more than one Sec-WebSocket-Key");
}

TEST(Handshake, RejectsMissingOrWrongVersion) {
  auto h = good_headers();
  h.erase(h.begin() + 4);
  EXPECT_EQ(check_upgrade_request("GET", h), "missing Sec-WebSocket-Version");
  auto v8 = good_headers();
  v8[4].value = "8";
  EXPECT_EQ(check_upgrade_request("GET", v8), "unsupported Sec-WebSocket-Version (only 13)");
  auto both = good_headers();
  both.push_back({"Sec-WebSocket-Version", "8"});
  EXPECT_NE(check_upgrade_request("GET", both), std::nullopt);
}

TEST(Handshake, RejectsBody) {
  auto cl = good_headers();
  cl.push_back({"Content-Length", "0"});
  EXPECT_EQ(check_upgrade_request("GET", cl), std::nullopt);
  cl.back().value = "5";
  EXPECT_NE(check_upgrade_request("GET", cl), std::nullopt);
  auto te = good_headers();
  te.push_back({"Transfer-Encoding", "chunked"});
  EXPECT_NE(check_upgrade_request("GET", te), std::nullopt);
}

}  // namespace
}  // namespace zedge::websocket
