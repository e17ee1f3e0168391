// The channel over a real (socketpair) non-blocking descriptor, against an OpenSSL client.
#include "tls/channel.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>

#include "test_pki.hpp"
#include "tls/listener_context.hpp"

namespace zedge::tls {
namespace {

using testing::make_temp_dir;
using testing::TestPki;

class ChannelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pki_.write_identity(dir_, "a.test", "a.test");
    listener_ = std::move(std::get<std::unique_ptr<ListenerContext>>(ListenerContext::create(store_, "a.test")));
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds_), 0);
    for (const int fd : fds_) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    client_context_ = pki_.new_client_context();
    client_ = SSL_new(client_context_);
    SSL_set_fd(client_, fds_[1]);
    SSL_set_connect_state(client_);
    testing::set_server_name(client_, "a.test");
    server_ = std::make_unique<Channel>(listener_->new_ssl(), fds_[0]);
  }
  void TearDown() override {
    server_.reset();
    SSL_free(client_);
    SSL_CTX_free(client_context_);
    ::close(fds_[0]);
    ::close(fds_[1]);
    std::filesystem::remove_all(dir_);
  }

  bool handshake() {
    bool client_done = false;
    Channel::Status server_status = Channel::Status::WantRead;
    for (int round = 0; round < 20; ++round) {
      if (!client_done) client_done = SSL_do_handshake(client_) == 1;
      if (server_status != Channel::Status::Ok) server_status = server_->handshake();
      if (server_status == Channel::Status::Failed) return false;
      if (client_done && server_status == Channel::Status::Ok) return true;
    }
    return false;
  }

  std::string client_read_all() {
    std::string text;
    char buffer[4096];
    std::size_t n = 0;
    while (SSL_read_ex(client_, buffer, sizeof buffer, &n) == 1) text.append(buffer, n);
    ERR_clear_error();
    return text;
  }

  TestPki pki_;
  std::string dir_ = make_temp_dir();
  IdentityStore store_{dir_};
  std::unique_ptr<ListenerContext> listener_;
  int fds_[2] = {-1, -1};
  SSL_CTX* client_context_ = nullptr;
  SSL* client_ = nullptr;
  std::unique_ptr<Channel> server_;
};

TEST_F(ChannelTest, HandshakeThenBytesBothWays) {
  ASSERT_TRUE(handshake());
  EXPECT_EQ(server_->server_name(), "a.test");
  char buffer[64];
  EXPECT_EQ(server_->read(buffer, sizeof buffer).status, Channel::Status::WantRead);

  const std::string request = "GET / HTTP/1.1\r\nHost: a.test\r\n\r\n";
  ASSERT_EQ(SSL_write(client_, request.data(), static_cast<int>(request.size())), static_cast<int>(request.size()));
  // A smaller buffer than the record: the rest stays decrypted inside OpenSSL, where no
  // readiness event will announce it.
  auto first = server_->read(buffer, 5);
  EXPECT_EQ(first.bytes, 5U);
  EXPECT_TRUE(server_->has_buffered_input());
  auto rest = server_->read(buffer + 5, sizeof buffer - 5);
  EXPECT_EQ(rest.status, Channel::Status::WantRead);
  EXPECT_EQ(std::string(buffer, 5 + rest.bytes), request);
  EXPECT_FALSE(server_->has_buffered_input());

  const auto written = server_->write("HTTP/1.1 200 OK\r\n\r\n", 19);
  EXPECT_EQ(written.bytes, 19U);
  EXPECT_EQ(written.status, Channel::Status::Ok);
  EXPECT_EQ(client_read_all(), "HTTP/1.1 200 OK\r\n\r\n");
}

TEST_F(ChannelTest, WriteStopsWhenTheSocketIsFullAndContinuesFromThere) {
  ASSERT_TRUE(handshake());
  std::string body(1 << 20, 'x');
  for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>('a' + i % 26);
  std::size_t sent = 0;
  std::string received;
  for (int round = 0; round < 10000 && sent < body.size(); ++round) {
    const auto result = server_->write(body.data() + sent, body.size() - sent);
    sent += result.bytes;
    if (sent < body.size()) {
      EXPECT_EQ(result.status, Channel::Status::WantWrite);
    }
    received += client_read_all();
  }
  received += client_read_all();
  EXPECT_EQ(sent, body.size());
  EXPECT_EQ(received, body);
}

TEST_F(ChannelTest, CloseNotifyAndEofAreClosed) {
  ASSERT_TRUE(handshake());
  SSL_shutdown(client_);
  char buffer[16];
  EXPECT_EQ(server_->read(buffer, sizeof buffer).status, Channel::Status::Closed);
  server_->close_notify();
  server_->close_notify();  // once only
}

TEST_F(ChannelTest, PlainHttpInsteadOfAHandshakeFails) {
  const std::string request = "GET / HTTP/1.1\r\nHost: a.test\r\n\r\n";
  ASSERT_EQ(::write(fds_[1], request.data(), request.size()), static_cast<ssize_t>(request.size()));
  EXPECT_EQ(server_->handshake(), Channel::Status::Failed);
  EXPECT_NE(server_->error().find("http request"), std::string::npos) << server_->error();
  server_->close_notify();  // not after a failure
}

TEST_F(ChannelTest, PeerGoneDuringHandshakeIsClosed) {
  ::shutdown(fds_[1], SHUT_WR);
  EXPECT_EQ(server_->handshake(), Channel::Status::Closed);
}

}  // namespace
}  // namespace zedge::tls
