#include "utf8/utf8_validator.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace zedge::utf8 {
namespace {

bool valid_whole(std::string_view s) {
  Utf8Validator v;
  return v.feed(s) && v.finish();
}

// Feeds one byte at a time, as if every byte were its own fragment.
bool valid_bytewise(std::string_view s) {
  Utf8Validator v;
  for (const char c : s) {
    if (!v.feed(std::string_view(&c, 1))) return false;
  }
  return v.finish();
}

bool valid(std::string_view s) {
  const bool whole = valid_whole(s);
  EXPECT_EQ(whole, valid_bytewise(s)) << "split feeding disagrees";
  return whole;
}

TEST(Utf8Validator, AcceptsOneToFourByteSequences) {
  EXPECT_TRUE(valid(""));
  EXPECT_TRUE(valid("hello"));
  EXPECT_TRUE(valid(std::string_view("\x00\x7F", 2)));
  EXPECT_TRUE(valid("\xC2\x80"));                                      // U+0080
  EXPECT_TRUE(valid("\xDF\xBF"));                                      // U+07FF
  EXPECT_TRUE(valid("\xE0\xA0\x80"));                                  // U+0800
  EXPECT_TRUE(valid("\xED\x9F\xBF"));                                  // U+D7FF
  EXPECT_TRUE(valid("\xEE\x80\x80"));                                  // U+E000
  EXPECT_TRUE(valid("\xEF\xBF\xBF"));                                  // U+FFFF
  EXPECT_TRUE(valid("\xF0\x90\x80\x80"));                              // U+10000
  EXPECT_TRUE(valid("\xF4\x8F\xBF\xBF"));                              // U+10FFFF
  EXPECT_TRUE(valid("\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5"));  // κόσμε
}

TEST(Utf8Validator, RejectsOverlongs) {
  EXPECT_FALSE(valid("\xC0\x80"));
  EXPECT_FALSE(valid("\xC1\xBF"));
  EXPECT_FALSE(valid("\xE0\x80\x80"));
  EXPECT_FALSE(valid("\xE0\x9F\xBF"));
  EXPECT_FALSE(valid("\xF0\x80\x80\x80"));
  EXPECT_FALSE(valid("\xF0\x8F\xBF\xBF"));
}

TEST(Utf8Validator, RejectsSurrogates) {
  EXPECT_FALSE(valid("\xED\xA0\x80"));              // U+D800
  EXPECT_FALSE(valid("\xED\xAD\xBF"));              // U+DB7F
  EXPECT_FALSE(valid("\xED\xBF\xBF"));              // U+DFFF
  EXPECT_FALSE(valid("\xED\xA0\x80\xED\xB0\x80"));  // surrogate pair in CESU-8
}

TEST(Utf8Validator, RejectsAboveMaxCodePoint) {
  EXPECT_FALSE(valid("\xF4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(valid("\xF5\x80\x80\x80"));
  EXPECT_FALSE(valid("\xF8\x88\x80\x80\x80"));
  EXPECT_FALSE(valid("\xFE"));
  EXPECT_FALSE(valid("\xFF"));
}

TEST(Utf8Validator, RejectsStrayAndMissingContinuations) {
  EXPECT_FALSE(valid("\x80"));
  EXPECT_FALSE(valid("a\xBF"));
  EXPECT_FALSE(valid("\xC2\x41"));
  EXPECT_FALSE(valid("\xE1\x80\x41"));
  EXPECT_FALSE(valid("\xF1\x80\x80\x41"));
  EXPECT_FALSE(valid("\xC2\x80\x80"));
}

TEST(Utf8Validator, TruncatedAtMessageEndFailsOnlyAtFinish) {
  Utf8Validator v;
  EXPECT_TRUE(v.feed("ok\xF0\x9F\x98"));  // U+1F600 missing its last byte
  EXPECT_TRUE(v.ok());
  EXPECT_FALSE(v.finish());
  EXPECT_FALSE(valid("\xE2\x82"));
  EXPECT_FALSE(valid("\xC2"));
}

TEST(Utf8Validator, SequenceSplitAcrossFragments) {
  Utf8Validator v;
  EXPECT_TRUE(v.feed("a\xF0"));
  EXPECT_TRUE(v.feed("\x9F"));
  EXPECT_TRUE(v.feed(""));
  EXPECT_TRUE(v.feed("\x98\x80z"));
  EXPECT_TRUE(v.finish());

  // The narrowed range after ED still applies when the next byte comes in a later piece.
  Utf8Validator w;
  EXPECT_TRUE(w.feed("\xED"));
  EXPECT_FALSE(w.feed("\xA0\x80"));
  EXPECT_FALSE(w.ok());
  EXPECT_FALSE(w.feed("a"));  // stays failed
}

TEST(Utf8Validator, ResetClearsFailureAndPendingSequence) {
  Utf8Validator v;
  EXPECT_FALSE(v.feed("\xFF"));
  v.reset();
  EXPECT_TRUE(v.feed("\xE2"));
  v.reset();
  EXPECT_TRUE(v.finish());
}

TEST(Utf8Validator, EveryTwoByteLeadAgainstEveryContinuation) {
  // Exhaustive for 2-byte sequences: valid iff lead C2–DF and second byte 80–BF.
  for (int lead = 0x80; lead <= 0xFF; ++lead) {
    for (int cont = 0x00; cont <= 0xFF; ++cont) {
      const std::string s{static_cast<char>(lead), static_cast<char>(cont)};
      const bool expected = lead >= 0xC2 && lead <= 0xDF && cont >= 0x80 && cont <= 0xBF;
      ASSERT_EQ(valid_whole(s), expected) << lead << " " << cont;
    }
  }
}

}  // namespace
}  // namespace zedge::utf8

// The ASCII fast path (8 bytes at a time) must hand over to the byte rules at any offset.
TEST(Utf8Validator, AsciiRunsOfEveryLengthBeforeAndAfterOtherBytes) {
  for (std::size_t before = 0; before <= 20; ++before) {
    for (std::size_t after = 0; after <= 20; ++after) {
      const std::string a(before, 'a');
      const std::string b(after, 'b');
      EXPECT_TRUE(zedge::utf8::is_valid(a + "\xc3\xa9" + b)) << before << " " << after;
      EXPECT_TRUE(zedge::utf8::is_valid(a + "\xf0\x9f\x98\x80" + b)) << before << " " << after;
      EXPECT_FALSE(zedge::utf8::is_valid(a + "\xff" + b)) << before << " " << after;
      EXPECT_FALSE(zedge::utf8::is_valid(a + "\xed\xa0\x80" + b)) << before << " " << after;  // surrogate
      EXPECT_FALSE(zedge::utf8::is_valid(a + "\xc3" + b)) << before << " " << after;          // cut short
      // Fed in two pieces split inside the multi-byte character.
      zedge::utf8::Utf8Validator v;
      EXPECT_TRUE(v.feed(a + "\xe2\x82"));
      EXPECT_TRUE(v.feed("\xac" + b));
      EXPECT_TRUE(v.finish());
    }
  }
}
