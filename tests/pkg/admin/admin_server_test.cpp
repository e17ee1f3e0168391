// AdminServer over real sockets on loopback: keep-alive and pipelining, HEAD, HTTP/1.0,
// 100-continue, size limits, bad requests, bind errors, stop(), the connection cap, and
// the 403 for a peer that is not loopback (the host's own non-loopback address).
#include "admin/admin_server.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fake_backend.hpp"

namespace zedge::admin {
namespace {

constexpr int kReadTimeoutMs = 5000;

// A blocking POSIX client with poll() timeouts, so a server bug fails a test instead of
// hanging it.
class Client {
 public:
  Client(const std::string& address, std::uint16_t port) {
    sockaddr_storage storage{};
    socklen_t length = 0;
    if (address.find(':') != std::string::npos) {
      auto* sa = reinterpret_cast<sockaddr_in6*>(&storage);
      sa->sin6_family = AF_INET6;
      sa->sin6_port = htons(port);
      inet_pton(AF_INET6, address.c_str(), &sa->sin6_addr);
      length = sizeof(sockaddr_in6);
    } else {
      auto* sa = reinterpret_cast<sockaddr_in*>(&storage);
      sa->sin_family = AF_INET;
      sa->sin_port = htons(port);
      inet_pton(AF_INET, address.c_str(), &sa->sin_addr);
      length = sizeof(sockaddr_in);
    }
    fd_ = ::socket(storage.ss_family, SOCK_STREAM, 0);
    connected_ = fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&storage), length) == 0;
  }
  explicit Client(std::uint16_t port) : Client("127.0.0.1", port) {}
  ~Client() { close(); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return connected_; }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  void send(std::string_view bytes) {
    while (!bytes.empty()) {
      const auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      ASSERT_GT(n, 0);
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  // Reads more bytes into buffer_; false on EOF, error or timeout.
  bool fill(int timeout_ms = kReadTimeoutMs) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) != 1) return false;
    char chunk[4096];
    const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  // One whole response (head, then a Content-Length body unless `head_request`); "" if the
  // connection ended or stalled first.
  std::string response(bool head_request = false) {
    std::size_t end = 0;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill()) return "";
    }
    end += 4;
    std::size_t body = 0;
    const auto cl = buffer_.find("Content-Length: ");
    if (!head_request && cl != std::string::npos && cl < end) body = std::stoul(buffer_.substr(cl + 16));
    while (buffer_.size() < end + body) {
      if (!fill()) return "";
    }
    std::string r = buffer_.substr(0, end + body);
    buffer_.erase(0, end + body);
    return r;
  }

  // True if the server closes the connection (EOF) within the timeout, with nothing more.
  bool closed_by_server(int timeout_ms = kReadTimeoutMs) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) != 1) return false;
    char c;
    return ::recv(fd_, &c, 1, 0) <= 0;
  }

  // Nothing arrives within `ms`.
  bool silent_for(int ms) {
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, ms) == 0;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  std::string buffer_;
};

std::string status_line(const std::string& response) { return response.substr(0, response.find("\r\n")); }
std::string body_of(const std::string& response) { return response.substr(response.find("\r\n\r\n") + 4); }

class AdminServerTest : public ::testing::Test {
 protected:
  void SetUp() override { start(AdminServerOptions{}); }

  void start(AdminServerOptions options) {
    server = std::make_unique<AdminServer>(backend, std::move(options));
    const auto error = server->start();
    ASSERT_FALSE(error) << *error;
    ASSERT_NE(server->port(), 0);
  }

  testing::FakeBackend backend;
  std::unique_ptr<AdminServer> server;
};

TEST_F(AdminServerTest, ServesOnTheBoundPort) {
  Client c(server->port());
  ASSERT_TRUE(c.connected());
  c.send("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(c.response(),
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Cache-Control: no-store\r\n"
            "Content-Length: 5\r\n"
            "\r\n"
            "live\n");
}

TEST_F(AdminServerTest, KeepAliveAndPipelining) {
  Client c(server->port());
  c.send("GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(body_of(c.response()), "ready\n");
  // Two requests in one write; answered in order.
  c.send("GET /livez HTTP/1.1\r\nHost: x\r\n\r\nPOST /livez HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(status_line(c.response()), "HTTP/1.1 200 OK");
  const auto second = c.response();
  EXPECT_EQ(status_line(second), "HTTP/1.1 405 Method Not Allowed");
  EXPECT_NE(second.find("\r\nAllow: GET, HEAD\r\n"), std::string::npos);
  c.send("GET /connections HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(status_line(c.response()), "HTTP/1.1 200 OK");
}

TEST_F(AdminServerTest, HeadSendsNoBody) {
  Client c(server->port());
  c.send("HEAD /status HTTP/1.1\r\nHost: x\r\n\r\nGET /livez HTTP/1.1\r\nHost: x\r\n\r\n");
  const auto head = c.response(true);
  EXPECT_EQ(status_line(head), "HTTP/1.1 200 OK");
  EXPECT_NE(head.find("Content-Type: application/json\r\n"), std::string::npos);
  EXPECT_EQ(body_of(c.response()), "live\n");  // the next bytes are the next response
}

TEST_F(AdminServerTest, Http10ClosesAfterTheResponse) {
  Client c(server->port());
  c.send("GET /metrics HTTP/1.0\r\n\r\n");
  const auto r = c.response();
  EXPECT_EQ(status_line(r), "HTTP/1.0 200 OK");
  EXPECT_NE(r.find("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"), std::string::npos);
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(AdminServerTest, ConnectionCloseIsHonoured) {
  Client c(server->port());
  c.send("GET /livez HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(c.response().find("Connection: close\r\n"), std::string::npos);
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(AdminServerTest, PostDrainWithABody) {
  Client c(server->port());
  const std::string body = R"({"timeout_seconds":3,"exit":true})";
  c.send("POST /drain HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body);
  const auto r = c.response();
  EXPECT_EQ(status_line(r), "HTTP/1.1 202 Accepted");
  EXPECT_NE(body_of(r).find("\"state\":\"DRAINING\""), std::string::npos);
  EXPECT_EQ(backend.last_drain.timeout, std::chrono::milliseconds(3000));
  EXPECT_TRUE(backend.last_drain.exit_when_done);
}

TEST_F(AdminServerTest, ChunkedBody) {
  Client c(server->port());
  c.send(
      "POST /log-level HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\n{\"lev\r\n6\r\nel\":4}\r\n0\r\n\r\n");
  const auto r = c.response();
  EXPECT_EQ(status_line(r), "HTTP/1.1 200 OK");
  EXPECT_EQ(body_of(r), "{\"level\":4}\n");
}

TEST_F(AdminServerTest, ExpectContinue) {
  Client c(server->port());
  c.send("POST /log-level HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n");
  EXPECT_EQ(c.response(), "HTTP/1.1 100 Continue\r\n\r\n");
  c.send("{\"level\":1}");
  EXPECT_EQ(status_line(c.response()), "HTTP/1.1 200 OK");
  EXPECT_EQ(backend.log_levels, std::vector<int>{1});
}

TEST_F(AdminServerTest, BodyOverTheLimitIs413) {
  Client c(server->port());
  c.send("POST /drain HTTP/1.1\r\nHost: x\r\nContent-Length: 65537\r\n\r\n");
  const auto r = c.response();
  EXPECT_EQ(status_line(r), "HTTP/1.1 413 Content Too Large");
  EXPECT_NE(r.find("Connection: close\r\n"), std::string::npos);
  EXPECT_TRUE(c.closed_by_server());
  EXPECT_EQ(backend.drain_calls, 0);
}

TEST_F(AdminServerTest, ChunkedBodyOverTheLimitIs413) {
  Client c(server->port());
  c.send("POST /drain HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
  const std::string chunk(8192, ' ');
  for (int i = 0; i < 9; ++i) c.send("2000\r\n" + chunk + "\r\n");
  EXPECT_EQ(status_line(c.response()), "HTTP/1.1 413 Content Too Large");
  EXPECT_EQ(backend.drain_calls, 0);
}

TEST_F(AdminServerTest, HeadOverTheLimitIs431) {
  Client c(server->port());
  c.send("GET /livez HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n");
  EXPECT_EQ(status_line(c.response()), "HTTP/1.1 431 Request Header Fields Too Large");
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(AdminServerTest, GarbageIs400AndClosed) {
  Client c(server->port());
  c.send("NOT HTTP AT ALL\r\n\r\n");
  const auto r = c.response();
  EXPECT_EQ(status_line(r), "HTTP/1.1 400 Bad Request");
  EXPECT_NE(r.find("Content-Type: application/json\r\n"), std::string::npos);
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(AdminServerTest, BindFailureIsReported) {
  AdminServerOptions options;
  options.port = server->port();
  AdminServer second(backend, options);
  const auto error = second.start();
  ASSERT_TRUE(error);
  EXPECT_EQ(error->rfind("admin listener 127.0.0.1:" + std::to_string(server->port()) + ": ", 0), 0U) << *error;
  EXPECT_EQ(second.port(), 0);
}

TEST_F(AdminServerTest, AddressThatIsNotAnIpIsReported) {
  AdminServerOptions options;
  options.address = "admin.example";
  AdminServer other(backend, options);
  const auto error = other.start();
  ASSERT_TRUE(error);
  EXPECT_EQ(*error, "admin listener admin.example:0: not an IP address");
}

TEST_F(AdminServerTest, StopClosesOpenConnections) {
  Client c(server->port());
  c.send("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(body_of(c.response()), "live\n");
  server->stop();
  EXPECT_TRUE(c.closed_by_server());
  server->stop();  // idempotent
  Client after(server->port());
  EXPECT_FALSE(after.connected());
}

// A backend whose quit() stops the admin server from the admin thread itself.
class StoppingBackend : public testing::FakeBackend {
 public:
  void quit() override {
    FakeBackend::quit();
    server->stop();
  }
  AdminServer* server = nullptr;
};

TEST(AdminServerStop, FromTheAdminThreadDoesNotDeadlock) {
  StoppingBackend backend;
  AdminServer server(backend, AdminServerOptions{});
  backend.server = &server;
  ASSERT_FALSE(server.start());
  Client c(server.port());
  c.send("POST /quit HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
  EXPECT_TRUE(c.closed_by_server());  // its own connection closed with the rest
  server.stop();                      // joins from this thread
  Client after(server.port());
  EXPECT_FALSE(after.connected());
  EXPECT_EQ(backend.quit_calls, 1);
}

TEST_F(AdminServerTest, AtTheConnectionCapTheNextWaitsForOneToClose) {
  std::vector<std::unique_ptr<Client>> held;
  for (std::size_t i = 0; i < kMaxAdminConnections; ++i) {
    held.push_back(std::make_unique<Client>(server->port()));
    held.back()->send("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_EQ(body_of(held.back()->response()), "live\n") << i;  // accepted and served
  }
  Client waiting(server->port());  // the kernel completes the handshake; zedge does not accept
  ASSERT_TRUE(waiting.connected());
  waiting.send("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(waiting.silent_for(300));
  held.front()->close();
  EXPECT_EQ(body_of(waiting.response()), "live\n");
}

TEST_F(AdminServerTest, ListensOnIpv6Loopback) {
  AdminServerOptions options;
  options.address = "[::1]";
  AdminServer v6(backend, options);
  if (const auto error = v6.start()) GTEST_SKIP() << *error;
  Client c("::1", v6.port());
  ASSERT_TRUE(c.connected());
  c.send("POST /quit HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(status_line(c.response()), "HTTP/1.1 202 Accepted");  // ::1 is loopback
}

// An IPv4 address of this host that is not loopback, if it has one.
std::optional<std::string> non_loopback_ipv4() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return std::nullopt;
  std::optional<std::string> found;
  for (auto* i = list; i != nullptr && !found; i = i->ifa_next) {
    if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET) continue;
    const auto* sa = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
    char text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &sa->sin_addr, text, sizeof text);
    if (std::strncmp(text, "127.", 4) != 0) found = text;
  }
  freeifaddrs(list);
  return found;
}

TEST_F(AdminServerTest, PeerThatIsNotLoopbackMayReadButNotMutate) {
  const auto address = non_loopback_ipv4();
  if (!address) GTEST_SKIP() << "no non-loopback IPv4 address on this host";
  AdminServerOptions options;
  options.address = *address;
  options.token = "t0ken";
  AdminServer exposed(backend, options);
  ASSERT_FALSE(exposed.start());

  Client c(*address, exposed.port());  // the peer address is the host's own, not 127.x
  ASSERT_TRUE(c.connected());
  c.send("GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(status_line(c.response()), "HTTP/1.1 200 OK");
  c.send("POST /quit HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
  const auto refused = c.response();
  EXPECT_EQ(status_line(refused), "HTTP/1.1 401 Unauthorized");
  EXPECT_NE(refused.find("\r\nWWW-Authenticate: Bearer realm=\"zedge-admin\"\r\n"), std::string::npos);
  EXPECT_EQ(backend.quit_calls, 0);
  c.send("POST /quit HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t0ken\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(status_line(c.response()), "HTTP/1.1 202 Accepted");
  EXPECT_EQ(backend.quit_calls, 1);

  // Without a token configured, such a peer is refused outright.
  options.token.clear();
  AdminServer no_token(backend, options);
  ASSERT_FALSE(no_token.start());
  Client d(*address, no_token.port());
  d.send("POST /drain HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(status_line(d.response()), "HTTP/1.1 403 Forbidden");
}

}  // namespace
}  // namespace zedge::admin
