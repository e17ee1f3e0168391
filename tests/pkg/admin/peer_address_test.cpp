// Loopback detection (the gate for mutations) and the admin bind address.
#include "admin/peer_address.hpp"

#include <gtest/gtest.h>

namespace zedge::admin {
namespace {

bool loopback(const char* text) { return is_loopback(asio::ip::make_address(text)); }

TEST(PeerAddress, Loopback) {
  EXPECT_TRUE(loopback("127.0.0.1"));
  EXPECT_TRUE(loopback("127.1.2.3"));
  EXPECT_TRUE(loopback("127.255.255.255"));
  EXPECT_TRUE(loopback("::1"));
  EXPECT_TRUE(loopback("::ffff:127.0.0.1"));
  EXPECT_TRUE(loopback("::ffff:127.9.9.9"));
}

TEST(PeerAddress, NotLoopback) {
  EXPECT_FALSE(loopback("128.0.0.1"));
  EXPECT_FALSE(loopback("126.255.255.255"));
  EXPECT_FALSE(loopback("10.0.0.1"));
  EXPECT_FALSE(loopback("0.0.0.0"));
  EXPECT_FALSE(loopback("::"));
  EXPECT_FALSE(loopback("::2"));
  EXPECT_FALSE(loopback("::ffff:10.0.0.1"));
  EXPECT_FALSE(loopback("::127.0.0.1"));  // IPv4-compatible (deprecated), not mapped
  EXPECT_FALSE(loopback("fe80::1"));
}

TEST(PeerAddress, BindAddress) {
  EXPECT_EQ(bind_address("127.0.0.1")->to_string(), "127.0.0.1");
  EXPECT_EQ(bind_address("localhost")->to_string(), "127.0.0.1");
  EXPECT_EQ(bind_address("::1")->to_string(), "::1");
  EXPECT_EQ(bind_address("[::1]")->to_string(), "::1");
  EXPECT_EQ(bind_address("0.0.0.0")->to_string(), "0.0.0.0");
  EXPECT_FALSE(bind_address("example.com"));
  EXPECT_FALSE(bind_address(""));
  EXPECT_FALSE(bind_address("[::1"));
}

}  // namespace
}  // namespace zedge::admin
