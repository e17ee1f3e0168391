// RequestParser limits: head size and header count (431), request-target length (414),
// trailer section size (RFC 9112 §2.3, §3; RFC 6585 §5).
#include <gtest/gtest.h>

#include <string>

#include "http1/request_parser.hpp"
#include "parser_transcript.hpp"

namespace zedge::http1 {
namespace {

using Event = RequestParser::Event;
using testing::drive_whole;

void expect_step(RequestParser::Step step, Event event, std::size_t consumed) {
  EXPECT_EQ(step.event, event);
  EXPECT_EQ(step.consumed, consumed);
}

std::string request_with_head_size(std::size_t size) {
  // "GET / HTTP/1.1\r\nHost: a\r\nX: " + filler + "\r\n\r\n"
  const std::string start = "GET / HTTP/1.1\r\nHost: a\r\nX: ";
  const std::size_t fixed = start.size() + 4;
  return start + std::string(size - fixed, 'v') + "\r\n\r\n";
}

TEST(RequestParserLimits, HeadOfExactlyMaxHeadBytesIsAccepted) {
  ParserLimits limits;
  limits.max_head_bytes = 200;
  RequestParser parser(limits);
  const std::string in = request_with_head_size(200);
  ASSERT_EQ(in.size(), 200u);
  expect_step(parser.feed(in), Event::HeadComplete, 200);
}

TEST(RequestParserLimits, HeadOneByteOverIs431) {
  ParserLimits limits;
  limits.max_head_bytes = 200;
  RequestParser parser(limits);
  EXPECT_EQ(parser.feed(request_with_head_size(201)).event, Event::Error);
  EXPECT_EQ(parser.error().status, 431);
}

TEST(RequestParserLimits, HeadLimitHoldsWhenFedByteByByte) {
  ParserLimits limits;
  limits.max_head_bytes = 200;
  EXPECT_EQ(testing::drive_bytewise(request_with_head_size(200), limits).error_status, std::nullopt);
  EXPECT_EQ(testing::drive_bytewise(request_with_head_size(201), limits).error_status, 431);
}

TEST(RequestParserLimits, EndlessHeaderIs431WithoutReadingItAll) {
  RequestParser parser;  // 8192 bytes
  const std::string in = "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n";
  const auto step = parser.feed(in);
  EXPECT_EQ(step.event, Event::Error);
  EXPECT_EQ(step.consumed, 8192u);
  EXPECT_EQ(parser.error().status, 431);
}

TEST(RequestParserLimits, LeadingEmptyLinesCountTowardTheHead) {
  ParserLimits limits;
  limits.max_head_bytes = 64;
  RequestParser parser(limits);
  std::string in;
  for (int i = 0; i < 40; ++i) in += "\r\n";
  EXPECT_EQ(parser.feed(in).event, Event::Error);
  EXPECT_EQ(parser.error().status, 431);
}

std::string request_with_headers(std::size_t count) {
  std::string in = "GET / HTTP/1.1\r\nHost: a\r\n";
  for (std::size_t i = 1; i < count; ++i) in += "X-" + std::to_string(i) + ": v\r\n";
  return in + "\r\n";
}

TEST(RequestParserLimits, MaxHeadersIsAcceptedAndOneMoreIs431) {
  RequestParser ok;  // 64 headers
  EXPECT_EQ(ok.feed(request_with_headers(64)).event, Event::HeadComplete);
  EXPECT_EQ(ok.head().headers.size(), 64u);
  RequestParser over;
  EXPECT_EQ(over.feed(request_with_headers(65)).event, Event::Error);
  EXPECT_EQ(over.error().status, 431);
}

TEST(RequestParserLimits, TargetOfMaxBytesIsAcceptedAndOneMoreIs414) {
  ParserLimits limits;
  limits.max_target_bytes = 100;
  const std::string target = "/" + std::string(99, 't');
  RequestParser ok(limits);
  EXPECT_EQ(ok.feed("GET " + target + " HTTP/1.1\r\nHost: a\r\n\r\n").event, Event::HeadComplete);
  EXPECT_EQ(ok.head().target, target);
  RequestParser over(limits);
  EXPECT_EQ(over.feed("GET " + target + "t HTTP/1.1\r\nHost: a\r\n\r\n").event, Event::Error);
  EXPECT_EQ(over.error().status, 414);
}

TEST(RequestParserLimits, TargetLongerThanTheWholeHeadLimitIsStill414) {
  RequestParser parser;  // 4096-byte target, 8192-byte head
  const std::string in = "GET /" + std::string(20000, 't') + " HTTP/1.1\r\nHost: a\r\n\r\n";
  EXPECT_EQ(parser.feed(in).event, Event::Error);
  EXPECT_EQ(parser.error().status, 414);
  EXPECT_EQ(testing::drive_bytewise(in).error_status, 414);
}

TEST(RequestParserLimits, TrailerSectionIsBoundedLikeTheHead) {
  ParserLimits limits;
  limits.max_head_bytes = 100;
  const std::string head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::string ok = head + "0\r\nX-T: " + std::string(100 - 9, 'x') + "\r\n\r\n";
  EXPECT_EQ(drive_whole(ok, limits).error_status, std::nullopt) << drive_whole(ok, limits).text;
  const std::string over = head + "0\r\nX-T: " + std::string(100 - 8, 'x') + "\r\n\r\n";
  EXPECT_EQ(drive_whole(over, limits).error_status, 431);
}

TEST(RequestParserLimits, BodyIsNotBoundedByTheHeadLimit) {
  ParserLimits limits;
  limits.max_head_bytes = 64;
  const std::string in = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n" + std::string(1000, 'b');
  const auto t = drive_whole(in, limits);
  EXPECT_EQ(t.error_status, std::nullopt) << t.text;
  EXPECT_NE(t.text.find("complete"), std::string::npos);
}

}  // namespace
}  // namespace zedge::http1
