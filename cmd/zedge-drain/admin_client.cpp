#include "admin_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace zedge::drain {
namespace {

// Each of connect, send and every read; the admin API answers loopback in milliseconds.
constexpr int kIoTimeoutSeconds = 2;
// /status is a few KiB; anything far larger is not zedge.
constexpr std::size_t kResponseMax = 1 << 20;

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

std::string system_error(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

bool connect_to(const Socket& socket, const AdminEndpoint& endpoint) {
  if (endpoint.ipv6) {
    sockaddr_in6 address{};
    address.sin6_family = AF_INET6;
    address.sin6_port = htons(endpoint.port);
    ::inet_pton(AF_INET6, endpoint.host.c_str(), &address.sin6_addr);
    return ::connect(socket.fd(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(endpoint.port);
  ::inet_pton(AF_INET, endpoint.host.c_str(), &address.sin_addr);
  return ::connect(socket.fd(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
}

bool send_all(const Socket& socket, const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(socket.fd(), bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

AdminClient::AdminClient(AdminEndpoint endpoint, std::string token)
    : endpoint_(std::move(endpoint)), token_(std::move(token)) {}

Exchange AdminClient::exchange(const char* method, const char* path, const std::string& body) const {
  Exchange result;
  Socket socket(::socket(endpoint_.ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (socket.fd() < 0) {
    result.error = system_error("socket");
    return result;
  }
  // SO_SNDTIMEO bounds connect too (Linux).
  const timeval timeout{kIoTimeoutSeconds, 0};
  ::setsockopt(socket.fd(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(socket.fd(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  if (!connect_to(socket, endpoint_)) {
    result.refused = errno == ECONNREFUSED;
    result.error = system_error("connect");
    return result;
  }

  std::string request = std::string(method) + " " + path + " HTTP/1.1\r\nHost: " + to_string(endpoint_) +
                        "\r\nConnection: close\r\nUser-Agent: zedge-drain\r\n";
  if (!token_.empty()) request += "Authorization: Bearer " + token_ + "\r\n";
  if (!body.empty()) request += "Content-Type: application/json\r\n";
  request += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  if (!send_all(socket, request)) {
    result.error = system_error("send");
    return result;
  }

  std::string bytes;
  char buffer[16384];
  for (;;) {
    const ssize_t n = ::recv(socket.fd(), buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      result.error = system_error("recv");
      return result;
    }
    if (n == 0) break;
    bytes.append(buffer, static_cast<std::size_t>(n));
    if (bytes.size() > kResponseMax) {
      result.error = "response over 1 MiB";
      return result;
    }
  }
  result.response = parse_http_response(bytes, result.error);
  return result;
}

}  // namespace zedge::drain
