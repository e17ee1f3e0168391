#include "server/keepalive_batches.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace zedge::server {
namespace {

struct FakeSession {
  std::string address;
  std::string id;
  bool wants = true;
  std::int64_t seq = 0;
  int seqs_taken = 0;

  bool wants_keepalive() const { return wants; }
  std::string_view handler_address() const { return address; }
  std::string_view request_id() const { return id; }
  std::int64_t take_keepalive_seq() {
    ++seqs_taken;
    return seq++;
  }
};

std::vector<std::string_view> ids_of(const zhttp::Packet& p) {
  std::vector<std::string_view> ids;
  for (const auto& i : p.ids) ids.push_back(i.id);
  return ids;
}

TEST(KeepaliveBatches, NothingAddedNoPackets) {
  KeepaliveBatches batches;
  EXPECT_TRUE(batches.packets("zedge").empty());
}

TEST(KeepaliveBatches, OnePacketPerHandlerAddress) {
  std::vector<FakeSession> sessions = {
      {"handler-b", "0-1-1", true, 5}, {"handler-a", "0-2-1", true, 7}, {"handler-b", "0-3-1", true, 2}};
  KeepaliveBatches batches;
  for (auto& s : sessions) batches.add(s);
  const auto packets = batches.packets("zedge");
  ASSERT_EQ(packets.size(), 2U);
  EXPECT_EQ(packets[0].address, "handler-a");
  EXPECT_EQ(ids_of(packets[0].packet), (std::vector<std::string_view>{"0-2-1"}));
  EXPECT_EQ(packets[1].address, "handler-b");
  EXPECT_EQ(ids_of(packets[1].packet), (std::vector<std::string_view>{"0-1-1", "0-3-1"}));
  for (const auto& b : packets) {
    EXPECT_EQ(b.packet.type, zhttp::PacketType::KeepAlive);
    EXPECT_EQ(b.packet.from, "zedge");
    EXPECT_TRUE(b.packet.ext_multi);
  }
  EXPECT_EQ(packets[1].packet.ids[0].seq, 5);
  EXPECT_EQ(packets[1].packet.ids[1].seq, 2);
  EXPECT_EQ(packets[0].packet.ids[0].seq, 7);
  EXPECT_EQ(sessions[0].seq, 6);  // each seq taken once
}

TEST(KeepaliveBatches, SplitsEvery128Ids) {
  std::vector<FakeSession> sessions;
  for (int i = 0; i < 300; ++i) sessions.push_back({"h", "0-" + std::to_string(i) + "-1", true, i});
  KeepaliveBatches batches;
  for (auto& s : sessions) batches.add(s);
  const auto packets = batches.packets("zedge");
  ASSERT_EQ(packets.size(), 3U);
  EXPECT_EQ(packets[0].packet.ids.size(), 128U);
  EXPECT_EQ(packets[1].packet.ids.size(), 128U);
  EXPECT_EQ(packets[2].packet.ids.size(), 44U);
  EXPECT_EQ(packets[0].packet.ids.front().id, "0-0-1");
  EXPECT_EQ(packets[1].packet.ids.front().id, "0-128-1");
  EXPECT_EQ(packets[2].packet.ids.back().id, "0-299-1");
  for (const auto& b : packets) EXPECT_EQ(b.address, "h");
}

TEST(KeepaliveBatches, ExactlyOneFullPacket) {
  std::vector<FakeSession> sessions;
  for (int i = 0; i < 128; ++i) sessions.push_back({"h", "0-" + std::to_string(i) + "-1", true, 0});
  KeepaliveBatches batches;
  for (auto& s : sessions) batches.add(s);
  const auto packets = batches.packets("zedge");
  ASSERT_EQ(packets.size(), 1U);
  EXPECT_EQ(packets[0].packet.ids.size(), 128U);
}

TEST(KeepaliveBatches, SessionsNotWantingOneAreLeftOut) {
  std::vector<FakeSession> sessions = {{"h", "0-1-1", true, 1}, {"h", "0-2-1", false, 1}, {"other", "0-3-1", false, 1}};
  KeepaliveBatches batches;
  for (auto& s : sessions) batches.add(s);
  const auto packets = batches.packets("zedge");
  ASSERT_EQ(packets.size(), 1U);
  EXPECT_EQ(ids_of(packets[0].packet), (std::vector<std::string_view>{"0-1-1"}));
  EXPECT_EQ(sessions[0].seqs_taken, 1);
  EXPECT_EQ(sessions[1].seqs_taken, 0);  // no seq used up by a keep-alive never sent
  EXPECT_EQ(sessions[2].seqs_taken, 0);
}

}  // namespace
}  // namespace zedge::server
