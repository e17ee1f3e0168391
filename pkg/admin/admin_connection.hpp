// One admin client connection: reads requests with http1::RequestParser, answers each with
// the AdminRouter, keeps the connection alive between requests (Prometheus and curl reuse
// it) and closes it after kAdminIdleTimeout without a complete request.
#pragma once

#include <array>
#include <asio.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "admin/admin_message.hpp"
#include "admin/admin_router.hpp"
#include "http1/request_parser.hpp"

namespace zedge::admin {

// The admin API's bodies are small JSON objects.
inline constexpr std::size_t kMaxAdminBodyBytes = 64 * 1024;
inline constexpr std::size_t kMaxAdminHeadBytes = 8 * 1024;
// A request must arrive whole, and a response be taken, within this long.
inline constexpr std::chrono::seconds kAdminIdleTimeout{10};

class AdminConnection : public std::enable_shared_from_this<AdminConnection> {
 public:
  // `on_closed` runs once, on the io thread, when the connection is done.
  AdminConnection(asio::ip::tcp::socket socket, bool peer_is_loopback, AdminRouter& router,
                  std::function<void(AdminConnection*)> on_closed);

  void start();
  void close();

 private:
  enum class After { Continue, NextRequest, Close };

  void arm_timer();
  void read_more();
  void process();
  void on_head();
  void finish_request();
  void refuse(int status, std::string_view message);
  void write(std::string bytes, After after);
  void linger();

  asio::ip::tcp::socket socket_;
  asio::steady_timer timer_;
  AdminRouter& router_;
  std::function<void(AdminConnection*)> on_closed_;
  http1::RequestParser parser_;

  std::string input_;         // received, not yet consumed by the parser
  std::size_t consumed_ = 0;  // bytes of input_ the parser has used
  std::array<char, 4096> read_buffer_{};
  std::string output_;  // the response being written

  AdminRequest request_;
  int version_minor_ = 1;
  bool keep_alive_ = false;
  bool closed_ = false;
};

}  // namespace zedge::admin
