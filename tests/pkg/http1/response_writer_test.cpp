// Response serialization: framing decisions and the exact bytes for every framing and
// version (RFC 9112 §4, §6, §7, §9.3).
#include "http1/response_writer.hpp"

#include <gtest/gtest.h>

#include <string>

namespace zedge::http1 {
namespace {

ResponseInfo info_for(int version_minor, int code, std::vector<ResponseHeader> headers = {}) {
  ResponseInfo info;
  info.version_minor = version_minor;
  info.code = code;
  info.reason = reason_phrase(code);
  info.headers = std::move(headers);
  return info;
}

std::string head_bytes(const ResponseInfo& info) {
  const auto plan = plan_response(info);
  EXPECT_TRUE(plan.has_value());
  std::string out;
  if (plan) write_head(info, *plan, out);
  return out;
}

// ------------------------------------------------------------------ plan_response

TEST(PlanResponse, WholeBodyInFirstPacketIsContentLength) {
  auto info = info_for(1, 200);
  info.first_body_size = 6;
  const auto plan = plan_response(info);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->framing, Framing::ContentLength);
  EXPECT_EQ(plan->content_length, 6u);
  EXPECT_TRUE(plan->keep_alive);
}

TEST(PlanResponse, HandlerContentLengthWinsOverTheFirstBody) {
  auto info = info_for(1, 200, {{"Content-Length", "100"}});
  info.first_body_size = 10;
  info.more = true;
  const auto plan = plan_response(info);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->framing, Framing::ContentLength);
  EXPECT_EQ(plan->content_length, 100u);
}

TEST(PlanResponse, UnknownLengthIsChunkedInHttp11) {
  auto info = info_for(1, 200);
  info.more = true;
  const auto plan = plan_response(info);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->framing, Framing::Chunked);
  EXPECT_TRUE(plan->keep_alive);
}

TEST(PlanResponse, UnknownLengthIsCloseDelimitedInHttp10) {
  auto info = info_for(0, 200);
  info.more = true;
  info.keep_alive = true;  // the client asked for keep-alive; the framing overrules it
  const auto plan = plan_response(info);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->framing, Framing::CloseDelimited);
  EXPECT_FALSE(plan->keep_alive);
}

TEST(PlanResponse, NoBodyForHeadAnd1xxAnd204And304) {
  for (const int code : {100, 101, 103, 204, 304}) {
    auto info = info_for(1, code);
    info.first_body_size = 5;
    const auto plan = plan_response(info);
    ASSERT_TRUE(plan) << code;
    EXPECT_EQ(plan->framing, Framing::NoBody) << code;
  }
  auto head = info_for(1, 200);
  head.head_request = true;
  head.first_body_size = 5;
  head.more = true;
  ASSERT_TRUE(plan_response(head));
  EXPECT_EQ(plan_response(head)->framing, Framing::NoBody);
}

TEST(PlanResponse, KeepAliveFollowsTheRequest) {
  auto info = info_for(1, 200);
  info.keep_alive = false;
  ASSERT_TRUE(plan_response(info));
  EXPECT_FALSE(plan_response(info)->keep_alive);
}

TEST(PlanResponse, InvalidHandlerContentLengthIsRefused) {
  for (const char* value : {"abc", "-1", "+1", "1 2", "", "0x10", "1.0", "99999999999999999999"}) {
    EXPECT_FALSE(plan_response(info_for(1, 200, {{"Content-Length", value}}))) << value;
  }
  EXPECT_FALSE(plan_response(info_for(1, 200, {{"Content-Length", "5"}, {"content-length", "6"}})));
  EXPECT_TRUE(plan_response(info_for(1, 200, {{"Content-Length", "5"}, {"content-length", "5"}})));
  EXPECT_TRUE(plan_response(info_for(1, 200, {{"Content-Length", " 5 "}})));
}

TEST(PlanResponse, HeadersThatWouldSplitTheResponseAreRefused) {
  EXPECT_FALSE(plan_response(info_for(1, 200, {{"X-A", "a\r\nSet-Cookie: x=1"}})));
  EXPECT_FALSE(plan_response(info_for(1, 200, {{"X-A", "a\nb"}})));
  EXPECT_FALSE(plan_response(info_for(1, 200, {{"X-A", std::string_view("a\0b", 3)}})));
  EXPECT_FALSE(plan_response(info_for(1, 200, {{"X A", "a"}})));
  EXPECT_FALSE(plan_response(info_for(1, 200, {{"", "a"}})));
  auto info = info_for(1, 200);
  info.reason = "OK\r\nX: y";
  EXPECT_FALSE(plan_response(info));
  EXPECT_FALSE(plan_response(info_for(1, 99)));
  EXPECT_FALSE(plan_response(info_for(1, 1000)));
}

// ------------------------------------------------------------------ write_head, byte-exact

TEST(WriteHead, ContentLengthHttp11KeepAlive) {
  auto info = info_for(1, 200, {{"Content-Type", "text/plain"}});
  info.first_body_size = 6;
  EXPECT_EQ(head_bytes(info),
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: text/plain\r\n"
            "Content-Length: 6\r\n"
            "\r\n");
}

TEST(WriteHead, ContentLengthHttp11Close) {
  auto info = info_for(1, 200, {{"Content-Type", "text/plain"}});
  info.first_body_size = 6;
  info.keep_alive = false;
  EXPECT_EQ(head_bytes(info),
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: text/plain\r\n"
            "Connection: close\r\n"
            "Content-Length: 6\r\n"
            "\r\n");
}

TEST(WriteHead, ContentLengthHttp10KeepAlive) {
  auto info = info_for(0, 200, {{"Content-Type", "text/plain"}});
  info.first_body_size = 6;
  EXPECT_EQ(head_bytes(info),
            "HTTP/1.0 200 OK\r\n"
            "Content-Type: text/plain\r\n"
            "Connection: keep-alive\r\n"
            "Content-Length: 6\r\n"
            "\r\n");
}

TEST(WriteHead, ContentLengthHttp10Close) {
  auto info = info_for(0, 200, {{"Content-Type", "text/plain"}});
  info.first_body_size = 6;
  info.keep_alive = false;
  EXPECT_EQ(head_bytes(info),
            "HTTP/1.0 200 OK\r\n"
            "Content-Type: text/plain\r\n"
            "Content-Length: 6\r\n"
            "\r\n");
}

TEST(WriteHead, HandlerFramingHeadersAreRegeneratedAtTheEnd) {
  auto info = info_for(1, 200,
                       {{"X-First", "1"},
                        {"content-length", "42"},
                        {"Transfer-Encoding", "chunked"},
                        {"CONNECTION", "close"},
                        {"X-Last", "2"}});
  EXPECT_EQ(head_bytes(info),
            "HTTP/1.1 200 OK\r\n"
            "X-First: 1\r\n"
            "X-Last: 2\r\n"
            "Content-Length: 42\r\n"
            "\r\n");
}

TEST(WriteHead, ChunkedHttp11HasNoConnectionTransferEncodingLine) {
  auto info = info_for(1, 200, {{"Content-Type", "text/plain"}});
  info.more = true;
  EXPECT_EQ(head_bytes(info),
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: text/plain\r\n"
            "Transfer-Encoding: chunked\r\n"
            "\r\n");
}

TEST(WriteHead, ChunkedHttp11Close) {
  auto info = info_for(1, 200, {{"Content-Type", "text/plain"}});
  info.more = true;
  info.keep_alive = false;
  EXPECT_EQ(head_bytes(info),
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: text/plain\r\n"
            "Connection: close\r\n"
            "Transfer-Encoding: chunked\r\n"
            "\r\n");
}

TEST(WriteHead, CloseDelimitedHttp10EvenWhenKeepAliveWasAsked) {
  auto info = info_for(0, 200, {{"Content-Type", "text/plain"}});
  info.more = true;
  info.keep_alive = true;
  EXPECT_EQ(head_bytes(info),
            "HTTP/1.0 200 OK\r\n"
            "Content-Type: text/plain\r\n"
            "\r\n");
}

TEST(WriteHead, HeadResponseKeepsTheHandlersContentLength) {
  auto info = info_for(1, 200, {{"Content-Type", "text/plain"}, {"Content-Length", "1234"}});
  info.head_request = true;
  EXPECT_EQ(head_bytes(info),
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: text/plain\r\n"
            "Content-Length: 1234\r\n"
            "\r\n");
}

TEST(WriteHead, HeadResponseWithWholeBodyAnnouncesItsLength) {
  auto info = info_for(1, 200, {{"Content-Type", "text/plain"}});
  info.head_request = true;
  info.first_body_size = 5;
  EXPECT_EQ(head_bytes(info),
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: text/plain\r\n"
            "Content-Length: 5\r\n"
            "\r\n");
}

TEST(WriteHead, HeadResponseOfUnknownLengthHasNone) {
  auto info = info_for(1, 200, {{"Content-Type", "text/plain"}});
  info.head_request = true;
  info.first_body_size = 5;
  info.more = true;
  EXPECT_EQ(head_bytes(info),
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: text/plain\r\n"
            "\r\n");
}

TEST(WriteHead, HeadResponseHttp10KeepAlive) {
  auto info = info_for(0, 200, {{"Content-Length", "7"}});
  info.head_request = true;
  info.more = true;
  EXPECT_EQ(head_bytes(info),
            "HTTP/1.0 200 OK\r\n"
            "Connection: keep-alive\r\n"
            "Content-Length: 7\r\n"
            "\r\n");
}

TEST(WriteHead, NoContentDropsFramingHeaders) {
  auto info = info_for(1, 204, {{"Connection", "close"}, {"Transfer-Encoding", "chunked"}, {"Content-Length", "0"}});
  EXPECT_EQ(head_bytes(info),
            "HTTP/1.1 204 No Content\r\n"
            "\r\n");
}

TEST(WriteHead, NotModifiedKeepsTheHandlersContentLength) {
  auto info = info_for(1, 304, {{"ETag", "\"v1\""}, {"Content-Length", "512"}});
  EXPECT_EQ(head_bytes(info),
            "HTTP/1.1 304 Not Modified\r\n"
            "ETag: \"v1\"\r\n"
            "Content-Length: 512\r\n"
            "\r\n");
}

TEST(WriteHead, NotModifiedWithoutLengthHasNone) {
  auto info = info_for(1, 304, {{"ETag", "\"v1\""}});
  info.first_body_size = 3;
  EXPECT_EQ(head_bytes(info),
            "HTTP/1.1 304 Not Modified\r\n"
            "ETag: \"v1\"\r\n"
            "\r\n");
}

TEST(WriteHead, SwitchingProtocolsKeepsConnectionAndAddsNothing) {
  auto info = info_for(
      1, 101,
      {{"Upgrade", "websocket"}, {"Connection", "Upgrade"}, {"Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="}});
  info.keep_alive = false;  // even a request with Content-Length: 0 gets no "Connection: close"
  EXPECT_EQ(head_bytes(info),
            "HTTP/1.1 101 Switching Protocols\r\n"
            "Upgrade: websocket\r\n"
            "Connection: Upgrade\r\n"
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
            "\r\n");
}

TEST(WriteHead, ReasonIsCopiedVerbatimOrDefaulted) {
  auto custom = info_for(1, 200);
  custom.reason = "Fine Thanks";
  EXPECT_EQ(head_bytes(custom), "HTTP/1.1 200 Fine Thanks\r\nContent-Length: 0\r\n\r\n");
  auto defaulted = info_for(1, 404);
  defaulted.reason = "";
  EXPECT_EQ(head_bytes(defaulted), "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
  auto unknown = info_for(1, 299);
  unknown.reason = "";
  EXPECT_EQ(head_bytes(unknown), "HTTP/1.1 299 \r\nContent-Length: 0\r\n\r\n");
}

TEST(WriteHead, AppendsToWhatIsAlreadyThere) {
  auto info = info_for(1, 200);
  std::string out = "HTTP/1.1 100 Continue\r\n\r\n";
  write_head(info, *plan_response(info), out);
  EXPECT_EQ(out, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
}

// ------------------------------------------------------------------ chunks

TEST(WriteChunk, HexSizeLowercaseThenDataThenCrlf) {
  std::string out;
  write_chunk("hello", out);
  EXPECT_EQ(out, "5\r\nhello\r\n");
  out.clear();
  write_chunk(std::string(255, 'x'), out);
  EXPECT_EQ(out, "ff\r\n" + std::string(255, 'x') + "\r\n");
  out.clear();
  write_chunk(std::string(4096, 'y'), out);
  EXPECT_EQ(out, "1000\r\n" + std::string(4096, 'y') + "\r\n");
  out.clear();
  write_chunk(std::string(0xabcde, 'z'), out);
  EXPECT_EQ(out.substr(0, 7), "abcde\r\n");
  EXPECT_EQ(out.size(), 7u + 0xabcde + 2u);
}

TEST(WriteChunk, EmptyDataWritesNothing) {
  std::string out = "x";
  write_chunk("", out);
  EXPECT_EQ(out, "x");
}

TEST(WriteChunk, LastChunk) {
  std::string out;
  write_chunk("first", out);
  write_chunk("chunk0", out);
  write_last_chunk(out);
  EXPECT_EQ(out, "5\r\nfirst\r\n6\r\nchunk0\r\n0\r\n\r\n");
}

// ------------------------------------------------------------------ zedge's own errors

TEST(WriteSimpleResponse, Http11Close) {
  std::string out;
  write_simple_response(1, 400, "Bad Request", "invalid Content-Length\n", false, out);
  EXPECT_EQ(out,
            "HTTP/1.1 400 Bad Request\r\n"
            "Content-Type: text/plain\r\n"
            "Connection: close\r\n"
            "Content-Length: 23\r\n"
            "\r\n"
            "invalid Content-Length\n");
}

TEST(WriteSimpleResponse, Http11KeepAlive) {
  std::string out;
  write_simple_response(1, 503, "", "no handler\n", true, out);
  EXPECT_EQ(out,
            "HTTP/1.1 503 Service Unavailable\r\n"
            "Content-Type: text/plain\r\n"
            "Content-Length: 11\r\n"
            "\r\n"
            "no handler\n");
}

TEST(WriteSimpleResponse, Http10KeepAlive) {
  std::string out;
  write_simple_response(0, 413, "Content Too Large", "too big\n", true, out);
  EXPECT_EQ(out,
            "HTTP/1.0 413 Content Too Large\r\n"
            "Content-Type: text/plain\r\n"
            "Connection: keep-alive\r\n"
            "Content-Length: 8\r\n"
            "\r\n"
            "too big\n");
}

TEST(WriteSimpleResponse, Http10Close) {
  std::string out;
  write_simple_response(0, 505, "HTTP Version Not Supported", "", false, out);
  EXPECT_EQ(out,
            "HTTP/1.0 505 HTTP Version Not Supported\r\n"
            "Content-Type: text/plain\r\n"
            "Content-Length: 0\r\n"
            "\r\n");
}

TEST(ReasonPhrase, StandardPhrases) {
  EXPECT_EQ(reason_phrase(100), "Continue");
  EXPECT_EQ(reason_phrase(101), "Switching Protocols");
  EXPECT_EQ(reason_phrase(200), "OK");
  EXPECT_EQ(reason_phrase(204), "No Content");
  EXPECT_EQ(reason_phrase(304), "Not Modified");
  EXPECT_EQ(reason_phrase(400), "Bad Request");
  EXPECT_EQ(reason_phrase(413), "Content Too Large");
  EXPECT_EQ(reason_phrase(414), "URI Too Long");
  EXPECT_EQ(reason_phrase(431), "Request Header Fields Too Large");
  EXPECT_EQ(reason_phrase(500), "Internal Server Error");
  EXPECT_EQ(reason_phrase(501), "Not Implemented");
  EXPECT_EQ(reason_phrase(503), "Service Unavailable");
  EXPECT_EQ(reason_phrase(505), "HTTP Version Not Supported");
  EXPECT_EQ(reason_phrase(299), "");
}

}  // namespace
}  // namespace zedge::http1
