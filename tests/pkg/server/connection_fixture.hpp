// Drives one HttpConnection over a real socketpair(AF_UNIX, SOCK_STREAM): the test is the
// client on one end, a real io_context run by the test drives the connection on the
// other, and a FakeConnectionHost stands in for the worker. Every wait runs the loop until
// a condition holds, within a time limit that only a broken connection reaches.
#pragma once

#include <gtest/gtest.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <asio.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fake_connection_host.hpp"
#include "metrics/metrics_snapshot.hpp"
#include "server/http_connection.hpp"
#include "zhttp/packet.hpp"

namespace zedge::server::testing {

using namespace std::chrono_literals;

// One packet the connection sent toward the handlers.
struct Sent {
  zhttp::Route route;
  std::string address;  // handler identity for StreamReply, else empty
  std::string frame;
  friend bool operator==(const Sent&, const Sent&) = default;
};

inline std::ostream& operator<<(std::ostream& os, const Sent& s) {
  switch (s.route) {
    case zhttp::Route::StreamInit: os << "PUSH"; break;
    case zhttp::Route::StreamReply: os << "ROUTER"; break;
    case zhttp::Route::Req: os << "DEALER"; break;
  }
  return os << "[" << s.address << "] " << s.frame;
}

// A session's first packet (PUSH), and its later ones to a handler identity (ROUTER).
inline Sent push(const zhttp::Packet& packet) { return Sent{zhttp::Route::StreamInit, "", zhttp::encode(packet)}; }
inline Sent router(std::string address, const zhttp::Packet& packet) {
  return Sent{zhttp::Route::StreamReply, std::move(address), zhttp::encode(packet)};
}

// A packet from zedge for a session, with the fields every one of them carries.
inline zhttp::Packet from_zedge(std::string_view id, std::int64_t seq) {
  zhttp::Packet p;
  p.from = "condure";  // SessionSettings' default instance id
  p.ids.push_back({id, seq});
  p.ext_multi = true;
  return p;
}

// The first packet of a stream request from the fixture's client, headers as sent.
inline zhttp::Packet request_packet(std::string_view id, std::string_view method, std::string_view uri,
                                    std::vector<zhttp::Header> headers) {
  zhttp::Packet p = from_zedge(id, 0);
  p.method = method;
  p.uri = uri;
  p.headers = std::move(headers);
  p.credits = 8192;  // the default --buffer-size
  p.stream = true;
  p.peer_address = "127.0.0.1";
  p.peer_port = 40000;
  return p;
}

// The first packet of "GET <uri>" sent with only `Host: a`.
inline zhttp::Packet get_request_packet(std::string_view id, std::string_view uri) {
  return request_packet(id, "GET", uri, {{"Host", "a"}});
}

// A packet from the handler "handler" for a session.
inline zhttp::Packet from_handler(std::string_view id, std::int64_t seq) {
  zhttp::Packet p;
  p.from = "handler";
  p.ids.push_back({id, seq});
  return p;
}

class ConnectionTest : public ::testing::Test {
 protected:
  static constexpr std::uint32_t kSlot = 5;  // not 0, so ids and release show it is passed on
  // Far beyond what any step takes; reached only when the awaited thing never happens.
  static constexpr auto kPatience = std::chrono::seconds(5);

  ConnectionTest() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
      ADD_FAILURE() << "socketpair failed";
      return;
    }
    connection_end_.assign(asio::generic::stream_protocol(AF_UNIX, 0), fds[0]);
    client_fd_ = fds[1];
  }

  ~ConnectionTest() override {
    // The connection goes before the io_context its socket belongs to.
    host_.forget_connections();
    connection_.reset();
    if (client_fd_ >= 0) ::close(client_fd_);
  }

  // A connection on a plain stream-mode listener, as Worker::adopt starts one.
  void start() {
    connection_fd_ = connection_end_.native_handle();
    connection_ = std::make_shared<HttpConnection>(host_, kSlot, std::move(connection_end_), settings_,
                                                   PeerInfo{"127.0.0.1", 40000}, nullptr);
    connection_->start();
  }

  // ---- the event loop
  // Runs it until `done()` holds; false if that did not happen within kPatience.
  bool run_until(const std::function<bool()>& done) {
    const auto give_up = std::chrono::steady_clock::now() + kPatience;
    for (;;) {
      io_.poll();
      collect_client_input();
      if (done()) return true;
      if (std::chrono::steady_clock::now() >= give_up) return false;
      io_.run_one_for(1ms);
    }
  }
  // Runs handlers until none is ready. Bytes already in the connection's socket count as
  // ready (a socketpair's send completes into the peer), so whatever the connection would
  // do with them, it has done.
  void run_ready_handlers() {
    for (int turns = 0; turns < 1000 && io_.poll() > 0; ++turns) {
    }
    collect_client_input();
  }
  std::function<bool()> packets_sent(std::size_t count) {
    return [this, count] { return host_.sent.size() >= count; };
  }

  // ---- the client end
  void client_sends(std::string_view bytes) {
    const ssize_t n = ::send(client_fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    ASSERT_EQ(n, static_cast<ssize_t>(bytes.size()));
  }
  // EOF toward the connection; the client can still read.
  void client_stops_sending() { ASSERT_EQ(::shutdown(client_fd_, SHUT_WR), 0); }
  // Runs the loop until the client has `size` bytes, and takes all it has.
  std::string client_reads(std::size_t size) {
    EXPECT_TRUE(run_until([&] { return client_input_.size() >= size; })) << "got: " << client_input_;
    return std::exchange(client_input_, {});
  }
  bool client_sees_eof() {
    return run_until([&] { return client_eof_; });
  }
  // Bytes from the client still in the connection's socket, not read by the connection.
  int unread_by_connection() const {
    int size = -1;
    EXPECT_EQ(::ioctl(connection_fd_, FIONREAD, &size), 0);
    return size;
  }

  // ---- the handler side
  // A handler packet, encoded and parsed as the worker receives it, for the connection.
  void handler_sends(const zhttp::Packet& packet) {
    const std::string frame = zhttp::encode(packet);
    zhttp::Packet parsed;
    ASSERT_EQ(zhttp::parse(frame, parsed), zhttp::ParseError::None) << frame;
    connection_->on_handler_packet(parsed, parsed.ids.front());
  }
  // Packets toward the handlers since the last call.
  std::vector<Sent> sent() {
    std::vector<Sent> packets;
    for (auto& m : host_.sent) packets.push_back(Sent{m.route, std::move(m.address), std::move(m.frame)});
    host_.sent.clear();
    return packets;
  }

  metrics::MetricsSnapshot counted() {
    metrics::MetricsSnapshot snapshot;
    metrics::add(snapshot, host_.metrics());
    return snapshot;
  }

  // Declared in the order they must outlive each other: the session keeps a reference to
  // the settings, the connection to the host, and its socket needs the io_context.
  session::SessionSettings settings_;
  FakeConnectionHost host_;
  asio::io_context io_;
  // Keeps run_one_for() waiting for events when no operation is pending.
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  HttpConnection::Socket connection_end_{io_};
  std::shared_ptr<HttpConnection> connection_;

 private:
  void collect_client_input() {
    char buffer[4096];
    for (;;) {
      const ssize_t n = ::recv(client_fd_, buffer, sizeof buffer, MSG_DONTWAIT);
      if (n == 0) client_eof_ = true;
      if (n <= 0) return;  // EOF, or nothing more now
      client_input_.append(buffer, static_cast<std::size_t>(n));
    }
  }

  int client_fd_ = -1;
  int connection_fd_ = -1;
  std::string client_input_;
  bool client_eof_ = false;
};

}  // namespace zedge::server::testing
