#include "admin/admin_server.hpp"

#include <asio.hpp>
#include <atomic>
#include <exception>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "admin/admin_connection.hpp"
#include "admin/admin_router.hpp"
#include "admin/peer_address.hpp"
#include "log/log.hpp"

namespace zedge::admin {
namespace {

constexpr std::string_view kLog = "admin";
// After a failed accept (out of file descriptors, say), wait before the next one rather
// than spin on the same error.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

}  // namespace

class AdminServer::Impl {
 public:
  Impl(AdminBackend& backend, AdminServerOptions options)
      : options_(std::move(options)), router_(backend, AdminRouterOptions{options_.token, options_.drain_defaults}) {}

  std::optional<std::string> start();
  void stop();
  std::uint16_t port() const { return port_.load(); }

 private:
  void close_all();
  void accept();
  void on_accepted(asio::ip::tcp::socket socket);
  void on_closed(AdminConnection* connection);

  AdminServerOptions options_;
  AdminRouter router_;
  asio::io_context io_{1};
  asio::ip::tcp::acceptor acceptor_{io_};
  asio::steady_timer retry_timer_{io_};
  std::thread thread_;
  std::atomic<std::uint16_t> port_{0};

  // Only touched on the admin thread.
  std::set<std::shared_ptr<AdminConnection>> connections_;
  bool accept_paused_ = false;
  bool stopping_ = false;
};

std::optional<std::string> AdminServer::Impl::start() {
  const std::string where = "admin listener " + options_.address + ":" + std::to_string(options_.port);
  const auto address = bind_address(options_.address);
  if (!address) return where + ": not an IP address";
  std::error_code ec;
  const asio::ip::tcp::endpoint endpoint(*address, options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    std::error_code ignored;
    acceptor_.close(ignored);
    return where + ": " + ec.message();
  }
  port_ = acceptor_.local_endpoint(ec).port();
  accept();
  thread_ = std::thread([this] {
    try {
      io_.run();
    } catch (const std::exception& e) {
      LOG_ERROR(kLog, "admin thread stopped: " << e.what());
    }
  });
  return std::nullopt;
}

void AdminServer::Impl::stop() {
  if (!thread_.joinable()) return;
  if (std::this_thread::get_id() == thread_.get_id()) {
    // From a backend call on the admin thread (quit, say): close everything now; the
    // thread ends when this handler returns, and a later stop() elsewhere joins it.
    close_all();
    return;
  }
  asio::post(io_, [this] { close_all(); });
  thread_.join();
}

void AdminServer::Impl::close_all() {
  stopping_ = true;
  std::error_code ec;
  acceptor_.close(ec);
  retry_timer_.cancel();
  // close() removes each from connections_, so walk a copy.
  const std::vector<std::shared_ptr<AdminConnection>> open(connections_.begin(), connections_.end());
  for (const auto& c : open) c->close();
}

void AdminServer::Impl::accept() {
  acceptor_.async_accept([this](std::error_code ec, asio::ip::tcp::socket socket) {
    if (stopping_ || ec == asio::error::operation_aborted) return;
    if (ec) {
      LOG_WARN(kLog, "accept failed: " << ec.message());
      retry_timer_.expires_after(kAcceptRetryDelay);
      retry_timer_.async_wait([this](std::error_code timer_ec) {
        if (!timer_ec && !stopping_) accept();
      });
      return;
    }
    on_accepted(std::move(socket));
    if (connections_.size() < kMaxAdminConnections) {
      accept();
    } else {
      accept_paused_ = true;
    }
  });
}

void AdminServer::Impl::on_accepted(asio::ip::tcp::socket socket) {
  std::error_code ec;
  const auto peer = socket.remote_endpoint(ec);
  if (ec) return;  // already gone
  socket.set_option(asio::ip::tcp::no_delay(true), ec);
  auto connection = std::make_shared<AdminConnection>(std::move(socket), is_loopback(peer.address()), router_,
                                                      [this](AdminConnection* c) { on_closed(c); });
  connections_.insert(connection);
  connection->start();
}

void AdminServer::Impl::on_closed(AdminConnection* connection) {
  for (auto it = connections_.begin(); it != connections_.end(); ++it) {
    if (it->get() == connection) {
      connections_.erase(it);
      break;
    }
  }
  if (accept_paused_ && !stopping_) {
    accept_paused_ = false;
    accept();
  }
}

AdminServer::AdminServer(AdminBackend& backend, AdminServerOptions options)
    : impl_(std::make_unique<Impl>(backend, std::move(options))) {}

AdminServer::~AdminServer() { stop(); }

std::optional<std::string> AdminServer::start() { return impl_->start(); }

std::uint16_t AdminServer::port() const { return impl_->port(); }

void AdminServer::stop() { impl_->stop(); }

}  // namespace zedge::admin
