#include "websocket/frame_writer.hpp"

#include <gtest/gtest.h>

#include <string>

namespace zedge::websocket {
namespace {

std::string frame(Opcode op, bool fin, std::string_view payload, bool rsv1 = false) {
  std::string out;
  EXPECT_TRUE(append_frame(out, op, fin, payload, rsv1));
  return out;
}

TEST(FrameWriter, EveryOpcodeSmallPayload) {
  EXPECT_EQ(frame(Opcode::kText, true, "Hello"), std::string("\x81\x05Hello", 7));
  EXPECT_EQ(frame(Opcode::kBinary, true, "\x01\x02"), std::string("\x82\x02\x01\x02", 4));
  EXPECT_EQ(frame(Opcode::kText, false, "Hel"), std::string("\x01\x03Hel", 5));
  EXPECT_EQ(frame(Opcode::kContinuation, true, "lo"), std::string("\x80\x02lo", 4));
  EXPECT_EQ(frame(Opcode::kContinuation, false, ""), std::string("\x00\x00", 2));
  EXPECT_EQ(frame(Opcode::kPing, true, "Hello"), std::string("\x89\x05Hello", 7));
  EXPECT_EQ(frame(Opcode::kPong, true, ""), std::string("\x8A\x00", 2));
  EXPECT_EQ(frame(Opcode::kClose, true, ""), std::string("\x88\x00", 2));
  EXPECT_EQ(frame(Opcode::kText, true, "x", true), std::string("\xC1\x01x", 3));
}

TEST(FrameWriter, LengthEncodingBoundaries) {
  struct Case {
    std::size_t length;
    std::string header;
  };
  const Case cases[] = {
      {0, std::string("\x82\x00", 2)},
      {125, std::string("\x82\x7D", 2)},
      {126, std::string("\x82\x7E\x00\x7E", 4)},
      {65535, std::string("\x82\x7E\xFF\xFF", 4)},
      {65536, std::string("\x82\x7F\x00\x00\x00\x00\x00\x01\x00\x00", 10)},
      {70000, std::string("\x82\x7F\x00\x00\x00\x00\x00\x01\x11\x70", 10)},
  };
  for (const Case& c : cases) {
    const std::string payload(c.length, 'z');
    const std::string out = frame(Opcode::kBinary, true, payload);
    EXPECT_EQ(frame_header_size(c.length), c.header.size()) << c.length;
    ASSERT_EQ(out.size(), c.header.size() + c.length) << c.length;
    EXPECT_EQ(out.substr(0, c.header.size()), c.header) << c.length;
    EXPECT_EQ(out.substr(c.header.size()), payload);
  }
}

TEST(FrameWriter, HeaderOnlyForHugeLength) {
  std::string out;
  append_frame_header(out, Opcode::kBinary, true, false, 0x0123456789ABCDEFULL);
  EXPECT_EQ(out, std::string("\x82\x7F\x01\x23\x45\x67\x89\xAB\xCD\xEF", 10));
}

TEST(FrameWriter, RefusesBadControlFrames) {
  std::string out = "keep";
  EXPECT_FALSE(append_frame(out, Opcode::kPing, true, std::string(126, 'p')));
  EXPECT_FALSE(append_frame(out, Opcode::kPong, false, "x"));
  EXPECT_FALSE(append_frame(out, Opcode::kClose, false, ""));
  EXPECT_EQ(out, "keep");
  EXPECT_TRUE(append_frame(out, Opcode::kPing, true, std::string(125, 'p')));
  EXPECT_EQ(out.size(), 4U + 2U + 125U);
}

TEST(FrameWriter, CloseFrame) {
  std::string out;
  append_close_frame(out, 1000, "");
  EXPECT_EQ(out, std::string("\x88\x02\x03\xE8", 4));
  out.clear();
  append_close_frame(out, 1002, "bad");
  EXPECT_EQ(out, std::string("\x88\x05\x03\xEA"
                             "bad",
                             7));
  out.clear();
  append_close_frame(out, 1000, std::string(300, 'r'));
  EXPECT_EQ(out.size(), 2U + 125U);
  EXPECT_EQ(out.substr(0, 2), std::string("\x88\x7D", 2));
}

}  // namespace
}  // namespace zedge::websocket
