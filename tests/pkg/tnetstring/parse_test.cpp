// tnetstring parsing: every type, every error, the lazy readers and deep validation.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "tnetstring/tnetstring.hpp"

namespace zedge::tnetstring {
namespace {

using namespace std::string_view_literals;

Error parse_error(std::string_view data) {
  Value v;
  return parse(data, v);
}

Error parse_exact_error(std::string_view data) {
  Value v;
  return parse_exact(data, v);
}

TEST(TnetstringParse, String) {
  Value v;
  ASSERT_EQ(parse("5:hello,", v), Error::None);
  EXPECT_EQ(v.type, Type::String);
  EXPECT_EQ(v.payload, "hello");
  EXPECT_EQ(v.encoded_size, 8u);
  std::string_view s;
  ASSERT_EQ(v.as_string(s), Error::None);
  EXPECT_EQ(s, "hello");
}

TEST(TnetstringParse, EmptyString) {
  Value v;
  ASSERT_EQ(parse("0:,", v), Error::None);
  EXPECT_EQ(v.type, Type::String);
  EXPECT_EQ(v.payload, "");
  EXPECT_EQ(v.encoded_size, 3u);
}

TEST(TnetstringParse, StringIsBinarySafe) {
  const std::string_view data = "5:a\0:,},"sv;
  Value v;
  ASSERT_EQ(parse(data, v), Error::None);
  EXPECT_EQ(v.payload, "a\0:,}"sv);
}

TEST(TnetstringParse, PayloadIsAViewIntoTheInput) {
  const std::string data = "5:hello,";
  Value v;
  ASSERT_EQ(parse(data, v), Error::None);
  EXPECT_EQ(v.payload.data(), data.data() + 2);
}

TEST(TnetstringParse, Integer) {
  Value v;
  std::int64_t x = 0;
  ASSERT_EQ(parse("3:200#", v), Error::None);
  EXPECT_EQ(v.type, Type::Integer);
  ASSERT_EQ(v.as_int(x), Error::None);
  EXPECT_EQ(x, 200);

  ASSERT_EQ(parse("2:-7#", v), Error::None);
  ASSERT_EQ(v.as_int(x), Error::None);
  EXPECT_EQ(x, -7);

  ASSERT_EQ(parse("1:0#", v), Error::None);
  ASSERT_EQ(v.as_int(x), Error::None);
  EXPECT_EQ(x, 0);

  ASSERT_EQ(parse("19:9223372036854775807#", v), Error::None);
  ASSERT_EQ(v.as_int(x), Error::None);
  EXPECT_EQ(x, INT64_MAX);

  ASSERT_EQ(parse("20:-9223372036854775808#", v), Error::None);
  ASSERT_EQ(v.as_int(x), Error::None);
  EXPECT_EQ(x, INT64_MIN);
}

TEST(TnetstringParse, BadIntegers) {
  EXPECT_EQ(parse_error("0:#"), Error::BadInteger);
  EXPECT_EQ(parse_error("1:-#"), Error::BadInteger);
  EXPECT_EQ(parse_error("2:+1#"), Error::BadInteger);
  EXPECT_EQ(parse_error("2: 1#"), Error::BadInteger);
  EXPECT_EQ(parse_error("2:1 #"), Error::BadInteger);
  EXPECT_EQ(parse_error("3:1.5#"), Error::BadInteger);
  EXPECT_EQ(parse_error("2:0x#"), Error::BadInteger);
  EXPECT_EQ(parse_error("3:abc#"), Error::BadInteger);
  EXPECT_EQ(parse_error("19:9223372036854775808#"), Error::BadInteger);   // overflow
  EXPECT_EQ(parse_error("20:-9223372036854775809#"), Error::BadInteger);  // underflow
}

TEST(TnetstringParse, Float) {
  Value v;
  double d = 0;
  ASSERT_EQ(parse("4:3.25^", v), Error::None);
  EXPECT_EQ(v.type, Type::Float);
  ASSERT_EQ(v.as_double(d), Error::None);
  EXPECT_EQ(d, 3.25);

  ASSERT_EQ(parse("4:-0.5^", v), Error::None);
  ASSERT_EQ(v.as_double(d), Error::None);
  EXPECT_EQ(d, -0.5);

  ASSERT_EQ(parse("1:1^", v), Error::None);
  ASSERT_EQ(v.as_double(d), Error::None);
  EXPECT_EQ(d, 1.0);

  ASSERT_EQ(parse("5:1e+21^", v), Error::None);
  ASSERT_EQ(v.as_double(d), Error::None);
  EXPECT_EQ(d, 1e21);
}

TEST(TnetstringParse, BadFloats) {
  EXPECT_EQ(parse_error("0:^"), Error::BadFloat);
  EXPECT_EQ(parse_error("3:abc^"), Error::BadFloat);
  EXPECT_EQ(parse_error("3:inf^"), Error::BadFloat);
  EXPECT_EQ(parse_error("3:nan^"), Error::BadFloat);
  EXPECT_EQ(parse_error("4:1.5x^"), Error::BadFloat);
  EXPECT_EQ(parse_error("4:+1.5^"), Error::BadFloat);
  EXPECT_EQ(parse_error("5:1e999^"), Error::BadFloat);
}

TEST(TnetstringParse, Boolean) {
  Value v;
  bool b = false;
  ASSERT_EQ(parse("4:true!", v), Error::None);
  EXPECT_EQ(v.type, Type::Boolean);
  ASSERT_EQ(v.as_bool(b), Error::None);
  EXPECT_TRUE(b);
  ASSERT_EQ(parse("5:false!", v), Error::None);
  ASSERT_EQ(v.as_bool(b), Error::None);
  EXPECT_FALSE(b);
}

TEST(TnetstringParse, BadBooleans) {
  EXPECT_EQ(parse_error("4:True!"), Error::BadBoolean);
  EXPECT_EQ(parse_error("1:1!"), Error::BadBoolean);
  EXPECT_EQ(parse_error("0:!"), Error::BadBoolean);
  EXPECT_EQ(parse_error("5:truex!"), Error::BadBoolean);
}

TEST(TnetstringParse, Null) {
  Value v;
  ASSERT_EQ(parse("0:~", v), Error::None);
  EXPECT_EQ(v.type, Type::Null);
  EXPECT_EQ(v.encoded_size, 3u);
  EXPECT_EQ(parse_error("1:x~"), Error::BadNull);
}

TEST(TnetstringParse, ListAndItems) {
  Value v;
  ASSERT_EQ(parse("16:1:a,2:42#4:true!]", v), Error::None);
  EXPECT_EQ(v.type, Type::List);
  ListReader reader(v);
  Value item;
  ASSERT_TRUE(reader.next(item));
  EXPECT_EQ(item.type, Type::String);
  EXPECT_EQ(item.payload, "a");
  ASSERT_TRUE(reader.next(item));
  EXPECT_EQ(item.type, Type::Integer);
  ASSERT_TRUE(reader.next(item));
  EXPECT_EQ(item.type, Type::Boolean);
  EXPECT_FALSE(reader.next(item));
  EXPECT_EQ(reader.error(), Error::None);
}

TEST(TnetstringParse, EmptyListAndMap) {
  Value v;
  ASSERT_EQ(parse("0:]", v), Error::None);
  ListReader list(v);
  Value item;
  EXPECT_FALSE(list.next(item));
  EXPECT_EQ(list.error(), Error::None);

  ASSERT_EQ(parse("0:}", v), Error::None);
  MapReader map(v);
  std::string_view key;
  EXPECT_FALSE(map.next(key, item));
  EXPECT_EQ(map.error(), Error::None);
}

TEST(TnetstringParse, MapAndPairs) {
  Value v;
  ASSERT_EQ(parse("20:3:seq,1:0#4:more,0:~}", v), Error::None);
  EXPECT_EQ(v.type, Type::Map);
  MapReader reader(v);
  std::string_view key;
  Value value;
  ASSERT_TRUE(reader.next(key, value));
  EXPECT_EQ(key, "seq");
  EXPECT_EQ(value.type, Type::Integer);
  ASSERT_TRUE(reader.next(key, value));
  EXPECT_EQ(key, "more");
  EXPECT_EQ(value.type, Type::Null);
  EXPECT_FALSE(reader.next(key, value));
  EXPECT_EQ(reader.error(), Error::None);
}

TEST(TnetstringParse, NestedReaders) {
  // {"id": [{"id": "a"}]}
  Value v;
  ASSERT_EQ(parse("21:2:id,12:9:2:id,1:a,}]}", v), Error::None);
  MapReader map(v);
  std::string_view key;
  Value ids;
  ASSERT_TRUE(map.next(key, ids));
  ListReader list(ids);
  Value entry;
  ASSERT_TRUE(list.next(entry));
  MapReader inner(entry);
  Value id;
  ASSERT_TRUE(inner.next(key, id));
  EXPECT_EQ(key, "id");
  EXPECT_EQ(id.payload, "a");
  EXPECT_EQ(validate(v), Error::None);
}

TEST(TnetstringParse, MapKeyMustBeString) {
  Value v;
  ASSERT_EQ(parse("8:1:1#1:a,}", v), Error::None);  // framing is fine; the reader checks keys
  MapReader reader(v);
  std::string_view key;
  Value value;
  EXPECT_FALSE(reader.next(key, value));
  EXPECT_EQ(reader.error(), Error::BadMapKey);
  EXPECT_EQ(validate(v), Error::BadMapKey);
}

TEST(TnetstringParse, OddMap) {
  Value v;
  ASSERT_EQ(parse("4:1:a,}", v), Error::None);
  MapReader reader(v);
  std::string_view key;
  Value value;
  EXPECT_FALSE(reader.next(key, value));
  EXPECT_EQ(reader.error(), Error::OddMap);
  EXPECT_EQ(validate(v), Error::OddMap);
}

TEST(TnetstringParse, BadItemInsideList) {
  Value v;
  ASSERT_EQ(parse("8:1:a,1:b;]", v), Error::None);  // second item has type ';'
  ListReader reader(v);
  Value item;
  EXPECT_TRUE(reader.next(item));
  EXPECT_FALSE(reader.next(item));
  EXPECT_EQ(reader.error(), Error::UnknownType);
  EXPECT_FALSE(reader.next(item));  // stays failed
  EXPECT_EQ(validate(v), Error::UnknownType);
}

TEST(TnetstringParse, ReaderOnWrongType) {
  Value v;
  ASSERT_EQ(parse("1:a,", v), Error::None);
  ListReader list(v);
  Value item;
  EXPECT_FALSE(list.next(item));
  EXPECT_EQ(list.error(), Error::WrongType);
  MapReader map(v);
  std::string_view key;
  EXPECT_FALSE(map.next(key, item));
  EXPECT_EQ(map.error(), Error::WrongType);
}

TEST(TnetstringParse, AsWrongType) {
  Value v;
  ASSERT_EQ(parse("1:5,", v), Error::None);
  std::int64_t x = 0;
  bool b = false;
  double d = 0;
  std::string_view s;
  EXPECT_EQ(v.as_int(x), Error::WrongType);
  EXPECT_EQ(v.as_bool(b), Error::WrongType);
  EXPECT_EQ(v.as_double(d), Error::WrongType);
  ASSERT_EQ(parse("1:5#", v), Error::None);
  EXPECT_EQ(v.as_string(s), Error::WrongType);
}

TEST(TnetstringParse, LengthErrors) {
  EXPECT_EQ(parse_error(""), Error::Truncated);
  EXPECT_EQ(parse_error("5"), Error::Truncated);
  EXPECT_EQ(parse_error(":a,"), Error::BadLength);
  EXPECT_EQ(parse_error("x:a,"), Error::BadLength);
  EXPECT_EQ(parse_error("-1:a,"), Error::BadLength);
  EXPECT_EQ(parse_error("01:a,"), Error::BadLength);  // leading zero
  EXPECT_EQ(parse_error("00:,"), Error::BadLength);
  EXPECT_EQ(parse_error("99999999999:"), Error::BadLength);  // more than kMaxLengthDigits
  EXPECT_EQ(parse_error("1a,"), Error::MissingColon);
  EXPECT_EQ(parse_error("1 :a,"), Error::MissingColon);
}

TEST(TnetstringParse, LengthBeyondInput) {
  EXPECT_EQ(parse_error("5:hell"), Error::Truncated);
  EXPECT_EQ(parse_error("5:hello"), Error::Truncated);  // no type char
  EXPECT_EQ(parse_error("1:"), Error::Truncated);
  EXPECT_EQ(parse_error("9999999999:a,"), Error::Truncated);
}

TEST(TnetstringParse, UnknownTypeChar) {
  EXPECT_EQ(parse_error("1:a;"), Error::UnknownType);
  EXPECT_EQ(parse_error("5:helloX"), Error::UnknownType);
  EXPECT_EQ(parse_error("0:)"), Error::UnknownType);
}

TEST(TnetstringParse, ParseLeavesTrailingBytes) {
  Value v;
  ASSERT_EQ(parse("1:a,1:b,", v), Error::None);
  EXPECT_EQ(v.encoded_size, 4u);
}

TEST(TnetstringParse, ParseExact) {
  Value v;
  ASSERT_EQ(parse_exact("1:a,", v), Error::None);
  EXPECT_EQ(v.payload, "a");
  EXPECT_EQ(parse_exact_error("1:a,1:b,"), Error::TrailingData);
  EXPECT_EQ(parse_exact_error("1:a, "), Error::TrailingData);
  EXPECT_EQ(parse_exact_error("1:a"), Error::Truncated);
}

TEST(TnetstringParse, ValidateFindsNestedErrors) {
  Value v;
  // [[ "1:x~" ]]: a null with a payload two levels down.
  ASSERT_EQ(parse("7:4:1:x~]]", v), Error::None);
  EXPECT_EQ(validate(v), Error::BadNull);
  ASSERT_EQ(parse("11:1:k,4:true#}", v), Error::None);
  EXPECT_EQ(validate(v), Error::BadInteger);
  ASSERT_EQ(parse("8:1:k,1:x;}", v), Error::None);
  EXPECT_EQ(validate(v), Error::UnknownType);
}

// kMaxDepth nested lists is fine; one more is TooDeep.
std::string nested_lists(std::size_t depth) {
  std::string out;
  Writer w(out);
  for (std::size_t i = 0; i < depth; ++i) w.begin_list();
  for (std::size_t i = 0; i < depth; ++i) w.end_list();
  return out;
}

TEST(TnetstringParse, DepthLimit) {
  const std::string ok = nested_lists(kMaxDepth);
  Value v;
  ASSERT_EQ(parse_exact(ok, v), Error::None);
  EXPECT_EQ(validate(v), Error::None);

  // Built by hand: the Writer refuses to nest deeper than kMaxDepth.
  std::string deep = "0:]";
  for (std::size_t i = 0; i < kMaxDepth; ++i) {
    deep = std::to_string(deep.size()) + ":" + deep + "]";
  }
  ASSERT_EQ(parse_exact(deep, v), Error::None);
  EXPECT_EQ(validate(v), Error::TooDeep);
}

TEST(TnetstringParse, ValidateScalars) {
  Value v;
  ASSERT_EQ(parse("1:7#", v), Error::None);
  EXPECT_EQ(validate(v), Error::None);
  // A Value built by hand is re-checked.
  Value bad{Type::Boolean, "yes", 6};
  EXPECT_EQ(validate(bad), Error::BadBoolean);
}

TEST(TnetstringParse, ErrorTextIsNeverEmpty) {
  for (int e = 0; e <= static_cast<int>(Error::TooDeep); ++e) {
    EXPECT_FALSE(error_text(static_cast<Error>(e)).empty());
  }
  EXPECT_EQ(error_text(Error::None), "no error");
}

}  // namespace
}  // namespace zedge::tnetstring
