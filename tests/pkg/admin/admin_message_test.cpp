// write_response(): the admin API's response bytes, written out in full.
#include "admin/admin_message.hpp"

#include <gtest/gtest.h>

namespace zedge::admin {
namespace {

TEST(AdminMessage, OkWithBody) {
  const AdminResponse r{200, "text/plain; charset=utf-8", "live\n", {}};
  EXPECT_EQ(write_response(r, 1, false, true),
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Cache-Control: no-store\r\n"
            "Content-Length: 5\r\n"
            "\r\n"
            "live\n");
}

TEST(AdminMessage, HeadAnnouncesTheLengthWithoutTheBody) {
  const AdminResponse r{200, "text/plain; charset=utf-8", "live\n", {}};
  EXPECT_EQ(write_response(r, 1, true, true),
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Cache-Control: no-store\r\n"
            "Content-Length: 5\r\n"
            "\r\n");
}

TEST(AdminMessage, ExtraHeadersAndClose) {
  const AdminResponse r{405, "application/json", "{\"error\":\"x\"}\n", {{"Allow", "POST"}}};
  EXPECT_EQ(write_response(r, 1, false, false),
            "HTTP/1.1 405 Method Not Allowed\r\n"
            "Content-Type: application/json\r\n"
            "Allow: POST\r\n"
            "Cache-Control: no-store\r\n"
            "Connection: close\r\n"
            "Content-Length: 14\r\n"
            "\r\n"
            "{\"error\":\"x\"}\n");
}

TEST(AdminMessage, Http10KeepAliveIsStated) {
  const AdminResponse r{503, "text/plain; charset=utf-8", "", {}};
  EXPECT_EQ(write_response(r, 0, false, true),
            "HTTP/1.0 503 Service Unavailable\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Cache-Control: no-store\r\n"
            "Connection: keep-alive\r\n"
            "Content-Length: 0\r\n"
            "\r\n");
}

TEST(AdminMessage, AHeaderThatWouldSplitTheResponseIsNeverWritten) {
  const AdminResponse r{200, "text/plain\r\nX-Evil: 1", "x", {}};
  const auto bytes = write_response(r, 1, false, true);
  EXPECT_EQ(bytes.rfind("HTTP/1.1 500 ", 0), 0U) << bytes;
  EXPECT_EQ(bytes.find("X-Evil"), std::string::npos);
}

TEST(AdminMessage, FindIsCaseInsensitive) {
  AdminRequest r;
  r.headers = {{"authorization", "Bearer x"}};
  ASSERT_NE(r.find("Authorization"), nullptr);
  EXPECT_EQ(r.find("Authorization")->value, "Bearer x");
  EXPECT_EQ(r.find("Host"), nullptr);
}

}  // namespace
}  // namespace zedge::admin
