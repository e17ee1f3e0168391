#include "server/abandoned_ids.hpp"

#include <gtest/gtest.h>

#include <string>

namespace zedge::server {
namespace {

using std::chrono::seconds;

const AbandonedIds::Clock::time_point kT0{seconds(1000)};

zhttp::Packet packet_from(std::string_view from, zhttp::PacketType type) {
  zhttp::Packet p;
  p.from = from;
  p.type = type;
  return p;
}

TEST(AbandonedIds, CancelOnlyForRememberedIdsThenForgotten) {
  AbandonedIds ids;
  ids.remember("0-1-1", kT0);
  const auto data = packet_from("handler", zhttp::PacketType::Data);
  EXPECT_FALSE(ids.take_for_cancel(data, "0-9-9"));  // never had it
  EXPECT_TRUE(ids.contains("0-1-1"));
  EXPECT_TRUE(ids.take_for_cancel(data, "0-1-1"));
  EXPECT_FALSE(ids.contains("0-1-1"));
  EXPECT_FALSE(ids.take_for_cancel(data, "0-1-1"));  // one cancel per id
  EXPECT_EQ(ids.size(), 0U);
}

TEST(AbandonedIds, NeverACancelForCancelOrErrorOrNoSender) {
  AbandonedIds ids;
  ids.remember("0-1-1", kT0);
  EXPECT_FALSE(ids.take_for_cancel(packet_from("handler", zhttp::PacketType::Cancel), "0-1-1"));
  EXPECT_FALSE(ids.take_for_cancel(packet_from("handler", zhttp::PacketType::Error), "0-1-1"));
  EXPECT_FALSE(ids.take_for_cancel(packet_from("", zhttp::PacketType::Data), "0-1-1"));
  EXPECT_TRUE(ids.contains("0-1-1"));  // still remembered for a later packet
  EXPECT_TRUE(ids.take_for_cancel(packet_from("handler", zhttp::PacketType::Credit), "0-1-1"));
}

TEST(AbandonedIds, IdsOlderThan60SecondsAreForgotten) {
  AbandonedIds ids;
  ids.remember("old", kT0);
  ids.remember("newer", kT0 + seconds(30));
  ids.remember("at-60", kT0 + seconds(60));
  EXPECT_TRUE(ids.contains("old"));  // exactly 60 s: still kept
  ids.remember("later", kT0 + seconds(61));
  EXPECT_FALSE(ids.contains("old"));
  EXPECT_TRUE(ids.contains("newer"));
  EXPECT_TRUE(ids.contains("later"));
  EXPECT_FALSE(ids.take_for_cancel(packet_from("handler", zhttp::PacketType::Data), "old"));
}

TEST(AbandonedIds, AtMost4096OldestGoFirst) {
  AbandonedIds ids;
  for (std::size_t i = 0; i < AbandonedIds::kKept; ++i) ids.remember("id-" + std::to_string(i), kT0);
  EXPECT_EQ(ids.size(), 4096U);
  ids.remember("one-more", kT0);
  EXPECT_EQ(ids.size(), 4096U);
  EXPECT_FALSE(ids.contains("id-0"));
  EXPECT_TRUE(ids.contains("id-1"));
  EXPECT_TRUE(ids.contains("one-more"));
}

}  // namespace
}  // namespace zedge::server
