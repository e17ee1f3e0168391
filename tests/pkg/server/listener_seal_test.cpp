// Sealing a listening socket before it closes: the kernel completes no new connection on
// it, while the connections already in its backlog stay there to be accepted and answered.
// Real loopback sockets, no event loop.
#include "server/listener_seal.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace zedge::server {
namespace {

constexpr int kQueued = 5;

struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  Fd(Fd&& other) noexcept : fd(other.fd) { other.fd = -1; }
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

Fd tcp_listener(sockaddr_in& address) {
  Fd listener(::socket(AF_INET, SOCK_STREAM, 0));
  address = {};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(listener.fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  EXPECT_EQ(::getsockname(listener.fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  EXPECT_EQ(::listen(listener.fd, 64), 0);
  return listener;
}

// Starts a non-blocking connect; true once it completed within `timeout_ms`.
bool connects_within(const sockaddr_in& address, int timeout_ms) {
  Fd client(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
  const int rc = ::connect(client.fd, reinterpret_cast<const sockaddr*>(&address), sizeof address);
  if (rc == 0) return true;
  EXPECT_EQ(errno, EINPROGRESS);
  pollfd p{client.fd, POLLOUT, 0};
  if (::poll(&p, 1, timeout_ms) != 1) return false;
  int error = 0;
  socklen_t length = sizeof error;
  ::getsockopt(client.fd, SOL_SOCKET, SO_ERROR, &error, &length);
  return error == 0;
}

int accept_all(int listener) {
  ::fcntl(listener, F_SETFL, ::fcntl(listener, F_GETFL) | O_NONBLOCK);
  int accepted = 0;
  for (;;) {
    const int fd = ::accept(listener, nullptr, nullptr);
    if (fd < 0) break;
    ++accepted;
    EXPECT_EQ(::send(fd, "503", 3, 0), 3);
    ::close(fd);
  }
  EXPECT_TRUE(errno == EAGAIN || errno == EWOULDBLOCK) << std::strerror(errno);
  return accepted;
}

TEST(ListenerSeal, TcpBacklogStaysAndNewHandshakesGetNoAnswer) {
  sockaddr_in address{};
  Fd listener = tcp_listener(address);
  std::vector<Fd> queued;
  for (int i = 0; i < kQueued; ++i) {
    queued.emplace_back(::socket(AF_INET, SOCK_STREAM, 0));
    ASSERT_EQ(::connect(queued.back().fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  }
  ASSERT_EQ(seal_listening_socket(listener.fd, AF_INET), std::nullopt);
  // The SYN is dropped: no SYN-ACK comes (the client would retry in a second, and by then
  // the socket is closed: refused).
  EXPECT_FALSE(connects_within(address, 300));
  // Every queued connection is still there, and answers reach its client.
  EXPECT_EQ(accept_all(listener.fd), kQueued);
  for (auto& client : queued) {
    char answer[4] = {};
    EXPECT_EQ(::recv(client.fd, answer, sizeof answer, 0), 3);
    EXPECT_STREQ(answer, "503");
  }
}

TEST(ListenerSeal, UnsealedTcpListenerStillAnswersHandshakes) {
  sockaddr_in address{};
  Fd listener = tcp_listener(address);
  EXPECT_TRUE(connects_within(address, 1000));  // the control case of the test above
}

TEST(ListenerSeal, UnixConnectsAreRefusedAndTheBacklogStays) {
  char dir[] = "/tmp/zedge-seal-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/s";
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  {
    Fd listener(::socket(AF_UNIX, SOCK_STREAM, 0));
    ASSERT_EQ(::bind(listener.fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    ASSERT_EQ(::listen(listener.fd, 64), 0);
    std::vector<Fd> queued;
    for (int i = 0; i < kQueued; ++i) {
      queued.emplace_back(::socket(AF_UNIX, SOCK_STREAM, 0));
      ASSERT_EQ(::connect(queued.back().fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    }
    ASSERT_EQ(seal_listening_socket(listener.fd, AF_UNIX), std::nullopt);
    Fd late(::socket(AF_UNIX, SOCK_STREAM, 0));
    EXPECT_EQ(::connect(late.fd, reinterpret_cast<sockaddr*>(&address), sizeof address), -1);
    EXPECT_EQ(errno, ECONNREFUSED);
    EXPECT_EQ(accept_all(listener.fd), kQueued);
    for (auto& client : queued) {
      char answer[4] = {};
      EXPECT_EQ(::recv(client.fd, answer, sizeof answer, 0), 3);
    }
  }
  ::unlink(path.c_str());
  ::rmdir(dir);
}

}  // namespace
}  // namespace zedge::server
