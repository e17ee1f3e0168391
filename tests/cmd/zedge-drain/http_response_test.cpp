#include "http_response.hpp"

#include <gtest/gtest.h>

namespace zedge::drain {
namespace {

TEST(HttpResponse, StatusAndBodyByContentLength) {
  std::string error;
  const auto r = parse_http_response(
      "HTTP/1.1 202 Accepted\r\ncontent-type: application/json\r\nContent-Length:  2 \r\n\r\n{}", error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->status, 202);
  EXPECT_EQ(r->body, "{}");
}

TEST(HttpResponse, BodyToTheEndWithoutContentLength) {
  std::string error;
  const auto r = parse_http_response("HTTP/1.0 409 Conflict\r\n\r\n{\"error\":\"already draining\"}", error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->status, 409);
  EXPECT_EQ(error_message(r->body), "already draining");
}

TEST(HttpResponse, StatusLineWithoutReasonOrFields) {
  std::string error;
  const auto r = parse_http_response("HTTP/1.1 200\r\n\r\n", error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "");
}

TEST(HttpResponse, ExtraBytesPastContentLengthAreIgnored) {
  std::string error;
  const auto r = parse_http_response("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nab", error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->body, "a");
}

TEST(HttpResponse, Refused) {
  for (const char* bytes :
       {"", "HTTP/1.1 200 OK\r\n", "HTTP/2 200\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n",
        "SSH-2.0-OpenSSH\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc",
        "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"}) {
    std::string error;
    EXPECT_FALSE(parse_http_response(bytes, error)) << bytes;
    EXPECT_FALSE(error.empty()) << bytes;
  }
}

TEST(ErrorMessage, PlainBodiesBecomeOneShortLine) {
  EXPECT_EQ(error_message("{\"error\": \"forbidden\"}"), "forbidden");
  EXPECT_EQ(error_message("not json\nat all\n"), "not json at all");
  EXPECT_EQ(error_message(std::string(500, 'x')).size(), 200u);
  EXPECT_EQ(error_message("{\"error\": 3}"), "{\"error\": 3}");
}

}  // namespace
}  // namespace zedge::drain
