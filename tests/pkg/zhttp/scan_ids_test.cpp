// scan_ids(): the bridge's cheap routing scan of the top-level "id".
#include <gtest/gtest.h>

#include <string>

#include "zhttp/packet.hpp"

namespace zedge::zhttp {
namespace {

struct Scan {
  bool ok = false;
  std::vector<std::string_view> ids;
  std::deque<std::string> storage;
};

Scan scan(std::string_view frame) {
  Scan s;
  s.ok = scan_ids(frame, s.ids, s.storage);
  return s;
}

TEST(ZhttpScanIds, SingleId) {
  const std::string frame =
      "T150:4:from,11:testhandler,2:id,5:1-0-1,3:seq,1:0#4:code,3:200#6:reason,2:OK,"
      "7:headers,34:30:12:Content-Type,10:text/plain,]]4:more,4:true!4:body,6:first\n,}";
  Scan s = scan(frame);
  ASSERT_TRUE(s.ok);
  ASSERT_EQ(s.ids.size(), 1u);
  EXPECT_EQ(s.ids[0], "1-0-1");
  EXPECT_EQ(s.ids[0].data(), frame.data() + frame.find("1-0-1"));  // zero-copy
}

TEST(ZhttpScanIds, MultiId) {
  Scan s = scan(
      "T126:4:from,7:condure,2:id,54:23:2:id,5:0-0-7,3:seq,1:2#}23:2:id,5:0-1-8,3:seq,1:2#}]"
      "3:ext,15:5:multi,4:true!}4:type,10:keep-alive,}");
  ASSERT_TRUE(s.ok);
  ASSERT_EQ(s.ids.size(), 2u);
  EXPECT_EQ(s.ids[0], "0-0-7");
  EXPECT_EQ(s.ids[1], "0-1-8");
}

TEST(ZhttpScanIds, SeqBeforeIdInItems) {
  Scan s = scan("T42:2:id,33:29:3:seq,1:2#2:id,1:a,3:x-y,1:z,}]}");
  ASSERT_TRUE(s.ok);
  ASSERT_EQ(s.ids.size(), 1u);
  EXPECT_EQ(s.ids[0], "a");
}

TEST(ZhttpScanIds, AppendsToExistingIds) {
  Scan s;
  s.ids.push_back("earlier");
  ASSERT_TRUE(scan_ids("T9:2:id,1:a,}", s.ids, s.storage));
  ASSERT_EQ(s.ids.size(), 2u);
  EXPECT_EQ(s.ids[1], "a");
}

TEST(ZhttpScanIds, OtherFieldsAreNotChecked) {
  // A bad "seq" is the full parser's business.
  Scan s = scan("T19:2:id,1:a,3:seq,1:x,}");
  ASSERT_TRUE(s.ok);
  EXPECT_EQ(s.ids[0], "a");
}

TEST(ZhttpScanIds, DuplicateIdKeysCountByTheLastAsInParse) {
  // Found by zhttp_fuzzer: routing by the first "id" while the worker acts on the last would
  // let one packet address a session owned by another worker.
  Scan top = scan("T34:2:id,1:a,2:id,1:b,4:type,6:cancel,}");
  ASSERT_TRUE(top.ok);
  ASSERT_EQ(top.ids.size(), 1u);
  EXPECT_EQ(top.ids[0], "b");
  Packet p;
  ASSERT_EQ(parse("T34:2:id,1:a,2:id,1:b,4:type,6:cancel,}", p), ParseError::None);
  EXPECT_EQ(p.ids[0].id, "b");

  Scan item = scan("T31:2:id,22:18:2:id,1:a,2:id,1:b,}]}");
  ASSERT_TRUE(item.ok);
  ASSERT_EQ(item.ids.size(), 1u);
  EXPECT_EQ(item.ids[0], "b");
}

TEST(ZhttpScanIds, Json) {
  Scan s = scan(R"(J{"from":"h","id":[{"id":"0-1-2"},{"id":"1-0-0","seq":3}]})");
  ASSERT_TRUE(s.ok);
  ASSERT_EQ(s.ids.size(), 2u);
  EXPECT_EQ(s.ids[0], "0-1-2");
  EXPECT_EQ(s.ids[1], "1-0-0");
  EXPECT_EQ(s.storage.size(), 1u);
}

TEST(ZhttpScanIds, Failures) {
  EXPECT_FALSE(scan("").ok);
  EXPECT_FALSE(scan("X9:2:id,1:a,}").ok);
  EXPECT_FALSE(scan("T9:2:id,1:a,").ok);                  // truncated
  EXPECT_FALSE(scan("T9:2:id,1:a,}x").ok);                // trailing bytes
  EXPECT_FALSE(scan("T17:4:from,7:handler,}").ok);        // no id
  EXPECT_FALSE(scan("T9:2:id,1:5#}").ok);                 // id not a string
  EXPECT_FALSE(scan("T8:2:id,0:]}").ok);                  // empty list
  EXPECT_FALSE(scan("T23:2:id,14:10:3:seq,1:0#}]}").ok);  // item without id
  EXPECT_FALSE(scan("T12:2:id,4:1:a,]}").ok);             // item not a map
  EXPECT_FALSE(scan("T9:2:id,1:a,]").ok);                 // root not a map
  EXPECT_FALSE(scan("J{\"id\":").ok);
  const std::string long_id(kIdMaxBytes + 1, 'i');
  EXPECT_FALSE(
      scan("T" + std::to_string(long_id.size() + 8) + ":2:id," + std::to_string(long_id.size()) + ":" + long_id + ",}")
          .ok);
}

TEST(ZhttpScanIds, IdCountLimit) {
  const auto frame_with_ids = [](std::size_t count) {
    std::string items;
    for (std::size_t i = 0; i < count; ++i) items += "9:2:id,1:x,}";
    const std::string body = "2:id," + std::to_string(items.size()) + ":" + items + "]";
    return "T" + std::to_string(body.size()) + ":" + body + "}";
  };
  EXPECT_TRUE(scan(frame_with_ids(kIdsMax)).ok);
  EXPECT_EQ(scan(frame_with_ids(kIdsMax)).ids.size(), kIdsMax);
  EXPECT_FALSE(scan(frame_with_ids(kIdsMax + 1)).ok);
}

}  // namespace
}  // namespace zedge::zhttp

TEST(ScanType, FindsTheTypeOfEncodedFrames) {
  using zedge::zhttp::PacketType;
  for (const auto type : {PacketType::Data, PacketType::Credit, PacketType::KeepAlive, PacketType::Cancel,
                          PacketType::HandoffProceed, PacketType::Close, PacketType::Ping, PacketType::Pong}) {
    zedge::zhttp::Packet p;
    p.from = "zedge";
    p.ids.push_back({"0-1-2", 3});
    p.type = type;
    p.body = "4:type,4:ping,";  // a look-alike later in the frame is not the field
    EXPECT_EQ(zedge::zhttp::scan_type(zedge::zhttp::encode(p)), type);
  }
  EXPECT_EQ(zedge::zhttp::scan_type("T14:4:type,4:ping}"), PacketType::Data);  // cut short
}
