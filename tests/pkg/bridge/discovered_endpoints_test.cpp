// Handler discovery's connect/disconnect decisions, on a fake clock.
#include "bridge/discovered_endpoints.hpp"

#include <gtest/gtest.h>

namespace zedge::bridge {
namespace {

using namespace std::chrono_literals;
using Strings = std::vector<std::string>;
const auto t0 = DiscoveredEndpoints::Clock::time_point{} + 1h;

TEST(DiscoveredEndpoints, NewAddressesConnectEverySocket) {
  DiscoveredEndpoints d(30s);
  const auto c = d.update({"127.0.0.3", "127.0.0.2", "127.0.0.2"}, t0);
  EXPECT_EQ(c.connect_push, (Strings{"127.0.0.2", "127.0.0.3"}));
  EXPECT_EQ(c.connect_others, (Strings{"127.0.0.2", "127.0.0.3"}));
  EXPECT_TRUE(c.disconnect_push.empty() && c.disconnect_others.empty());
  EXPECT_TRUE(d.update({"127.0.0.2", "127.0.0.3"}, t0 + 1s).empty());  // same answer: nothing to do
}

TEST(DiscoveredEndpoints, AVanishedAddressLeavesPushAtOnceAndTheRestAfterTheGrace) {
  DiscoveredEndpoints d(30s);
  d.update({"127.0.0.2", "127.0.0.3", "127.0.0.4"}, t0);
  const auto c = d.update({"127.0.0.4"}, t0 + 1s);
  EXPECT_EQ(c.disconnect_push, (Strings{"127.0.0.2", "127.0.0.3"}));
  EXPECT_TRUE(c.disconnect_others.empty());  // replies still come back
  EXPECT_EQ(d.live(), (Strings{"127.0.0.4"}));
  EXPECT_EQ(d.leaving(), (Strings{"127.0.0.2", "127.0.0.3"}));
  EXPECT_TRUE(d.expire(t0 + 30s).empty());
  EXPECT_EQ(d.expire(t0 + 31s).disconnect_others, (Strings{"127.0.0.2", "127.0.0.3"}));
  EXPECT_TRUE(d.leaving().empty());
}

TEST(DiscoveredEndpoints, AnAddressBackWithinTheGraceOnlyReconnectsPush) {
  DiscoveredEndpoints d(30s);
  d.update({"127.0.0.2"}, t0);
  d.update({}, t0 + 1s);
  const auto c = d.update({"127.0.0.2"}, t0 + 2s);
  EXPECT_EQ(c.connect_push, (Strings{"127.0.0.2"}));
  EXPECT_TRUE(c.connect_others.empty());
  EXPECT_TRUE(d.expire(t0 + 60s).empty());  // no longer leaving
}

}  // namespace
}  // namespace zedge::bridge
