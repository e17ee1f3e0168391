// tnetstring encoding: exact bytes for every type, container prefixes filled on close,
// and round trips through the parser.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "tnetstring/tnetstring.hpp"

namespace zedge::tnetstring {
namespace {

using namespace std::string_view_literals;

TEST(TnetstringWriter, Scalars) {
  std::string out;
  Writer w(out);
  w.string("hello");
  w.string("");
  w.integer(200);
  w.integer(-7);
  w.integer(INT64_MIN);
  w.floating(3.25);
  w.floating(1.0);
  w.boolean(true);
  w.boolean(false);
  w.null();
  EXPECT_EQ(out,
            "5:hello,"
            "0:,"
            "3:200#"
            "2:-7#"
            "20:-9223372036854775808#"
            "4:3.25^"
            "1:1^"
            "4:true!"
            "5:false!"
            "0:~");
}

TEST(TnetstringWriter, BinaryString) {
  std::string out;
  Writer w(out);
  w.string("a\0b"sv);
  EXPECT_EQ(out, "3:a\0b,"sv);
}

TEST(TnetstringWriter, EmptyContainers) {
  std::string out;
  Writer w(out);
  w.begin_list();
  w.end_list();
  w.begin_map();
  w.end_map();
  EXPECT_EQ(out, "0:]0:}");
}

TEST(TnetstringWriter, NestedContainers) {
  std::string out;
  Writer w(out);
  w.begin_map();
  w.string("headers");
  w.begin_list();
  w.begin_list();
  w.string("Content-Type");
  w.string("text/plain");
  w.end_list();
  w.end_list();
  w.end_map();
  // The header list of Condure's test_req_serialize.
  EXPECT_EQ(out, "48:7:headers,34:30:12:Content-Type,10:text/plain,]]}");
  EXPECT_EQ(w.depth(), 0u);
}

TEST(TnetstringWriter, AppendsToExistingText) {
  std::string out = "T";
  Writer w(out);
  w.begin_map();
  w.string("a");
  w.integer(1);
  w.end_map();
  EXPECT_EQ(out, "T8:1:a,1:1#}");
}

// Payloads of 9, 12, 99, 102 and 210000 bytes: the prefix grows from one to six digits.
TEST(TnetstringWriter, PrefixWidthGrows) {
  for (std::size_t nulls : {3u, 4u, 33u, 34u, 70000u}) {
    std::string out;
    Writer w(out);
    w.begin_list();
    for (std::size_t i = 0; i < nulls; ++i) w.null();  // "0:~" is 3 bytes
    w.end_list();
    const std::string payload_size = std::to_string(nulls * 3);
    EXPECT_EQ(out.substr(0, payload_size.size() + 1), payload_size + ":");
    EXPECT_EQ(out.size(), payload_size.size() + 1 + nulls * 3 + 1);
    EXPECT_EQ(out.back(), ']');
    Value v;
    ASSERT_EQ(parse_exact(out, v), Error::None);
    EXPECT_EQ(validate(v), Error::None);
  }
}

TEST(TnetstringWriter, DepthTracksOpenContainers) {
  std::string out;
  Writer w(out);
  w.begin_list();
  w.begin_map();
  EXPECT_EQ(w.depth(), 2u);
  w.end_map();
  EXPECT_EQ(w.depth(), 1u);
  w.end_list();
  EXPECT_EQ(w.depth(), 0u);
}

TEST(TnetstringWriter, RoundTripEveryType) {
  std::string out;
  Writer w(out);
  w.begin_map();
  w.string("s");
  w.string("text");
  w.string("i");
  w.integer(-42);
  w.string("f");
  w.floating(0.1);
  w.string("b");
  w.boolean(true);
  w.string("n");
  w.null();
  w.string("l");
  w.begin_list();
  w.integer(1);
  w.string("two");
  w.end_list();
  w.end_map();

  Value root;
  ASSERT_EQ(parse_exact(out, root), Error::None);
  ASSERT_EQ(validate(root), Error::None);
  MapReader map(root);
  std::string_view key;
  Value v;

  ASSERT_TRUE(map.next(key, v));
  std::string_view s;
  ASSERT_EQ(v.as_string(s), Error::None);
  EXPECT_EQ(s, "text");

  ASSERT_TRUE(map.next(key, v));
  std::int64_t i = 0;
  ASSERT_EQ(v.as_int(i), Error::None);
  EXPECT_EQ(i, -42);

  ASSERT_TRUE(map.next(key, v));
  double f = 0;
  ASSERT_EQ(v.as_double(f), Error::None);
  EXPECT_EQ(f, 0.1);  // shortest form reads back exactly
  EXPECT_EQ(v.payload, "0.1");

  ASSERT_TRUE(map.next(key, v));
  bool b = false;
  ASSERT_EQ(v.as_bool(b), Error::None);
  EXPECT_TRUE(b);

  ASSERT_TRUE(map.next(key, v));
  EXPECT_EQ(v.type, Type::Null);

  ASSERT_TRUE(map.next(key, v));
  EXPECT_EQ(key, "l");
  ListReader list(v);
  Value item;
  ASSERT_TRUE(list.next(item));
  ASSERT_EQ(item.as_int(i), Error::None);
  EXPECT_EQ(i, 1);
  ASSERT_TRUE(list.next(item));
  EXPECT_EQ(item.payload, "two");
  EXPECT_FALSE(list.next(item));

  EXPECT_FALSE(map.next(key, v));
  EXPECT_EQ(map.error(), Error::None);
}

TEST(TnetstringWriter, MaxDepthNesting) {
  std::string out;
  Writer w(out);
  for (std::size_t i = 0; i < kMaxDepth; ++i) w.begin_list();
  EXPECT_EQ(w.depth(), kMaxDepth);
  for (std::size_t i = 0; i < kMaxDepth; ++i) w.end_list();
  Value v;
  ASSERT_EQ(parse_exact(out, v), Error::None);
  EXPECT_EQ(validate(v), Error::None);
}

#ifndef NDEBUG
TEST(TnetstringWriterDeathTest, MisuseAsserts) {
  std::string out;
  EXPECT_DEATH(
      {
        Writer w(out);
        w.end_list();
      },
      "");
  EXPECT_DEATH(
      {
        Writer w(out);
        w.begin_list();
        w.end_map();
      },
      "");
}
#endif

}  // namespace
}  // namespace zedge::tnetstring
