#include "admin/admin_connection.hpp"

#include <exception>
#include <string_view>
#include <utility>

#include "admin/status_json.hpp"
#include "log/log.hpp"

namespace zedge::admin {
namespace {

constexpr std::string_view kLog = "admin";
// After a response that ends the connection, unread request bytes are drained for this
// long before closing, so the close does not become a reset that destroys the response
// at the client (RFC 9112 §9.6).
constexpr std::chrono::seconds kLingerTimeout{2};

http1::ParserLimits admin_parser_limits() {
  http1::ParserLimits limits;
  limits.max_head_bytes = kMaxAdminHeadBytes;
  return limits;
}

}  // namespace

AdminConnection::AdminConnection(asio::ip::tcp::socket socket, bool peer_is_loopback, AdminRouter& router,
                                 std::function<void(AdminConnection*)> on_closed)
    : socket_(std::move(socket)),
      timer_(socket_.get_executor()),
      router_(router),
      on_closed_(std::move(on_closed)),
      parser_(admin_parser_limits()) {
  request_.peer_is_loopback = peer_is_loopback;
}

void AdminConnection::start() {
  arm_timer();
  read_more();
}

void AdminConnection::close() {
  if (closed_) return;
  closed_ = true;
  const auto keep = shared_from_this();  // on_closed_ may drop the owner's reference
  std::error_code ec;
  timer_.cancel();
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  if (auto done = std::move(on_closed_)) done(this);
}

void AdminConnection::arm_timer() {
  timer_.expires_after(kAdminIdleTimeout);
  timer_.async_wait([self = shared_from_this()](std::error_code ec) {
    // A wait that had already fired when the timer was re-armed still runs: check expiry.
    if (ec || self->closed_ || self->timer_.expiry() > std::chrono::steady_clock::now()) return;
    self->close();
  });
}

void AdminConnection::read_more() {
  socket_.async_read_some(asio::buffer(read_buffer_), [self = shared_from_this()](std::error_code ec, std::size_t n) {
    if (self->closed_) return;
    if (ec) {
      self->close();  // end of stream or an error: nothing to answer
      return;
    }
    self->input_.append(self->read_buffer_.data(), n);
    self->process();
  });
}

// Parses what has arrived until a response is due or more input is needed.
void AdminConnection::process() {
  while (!closed_) {
    const auto step = parser_.feed(std::string_view(input_).substr(consumed_));
    consumed_ += step.consumed;
    switch (step.event) {
      case http1::RequestParser::Event::NeedMore:
        input_.erase(0, consumed_);
        consumed_ = 0;
        read_more();
        return;
      case http1::RequestParser::Event::HeadComplete:
        on_head();
        if (parser_.head().body_kind == http1::BodyKind::ContentLength &&
            parser_.head().content_length > kMaxAdminBodyBytes) {
          refuse(413, "request body too large");
          return;
        }
        if (parser_.head().expect_continue) {
          write("HTTP/1.1 100 Continue\r\n\r\n", After::Continue);  // RFC 9110 §10.1.1
          return;
        }
        break;
      case http1::RequestParser::Event::BodyData:
        if (request_.body.size() + parser_.body_data().size() > kMaxAdminBodyBytes) {
          refuse(413, "request body too large");
          return;
        }
        request_.body.append(parser_.body_data());
        break;
      case http1::RequestParser::Event::MessageComplete: finish_request(); return;
      case http1::RequestParser::Event::Error: refuse(parser_.error().status, parser_.error().message); return;
    }
  }
}

void AdminConnection::on_head() {
  const auto& head = parser_.head();
  request_.method = head.method;
  request_.target = head.target;
  request_.headers = head.headers;
  request_.body.clear();
  version_minor_ = head.version_minor;
  keep_alive_ = head.keep_alive;
}

void AdminConnection::finish_request() {
  AdminResponse response;
  try {
    response = router_.handle(request_);
  } catch (const std::exception& e) {
    // A backend failure answers this request; it must not take the admin thread down.
    LOG_ERROR(kLog, request_.method << " " << request_.target << " failed: " << e.what());
    response = AdminResponse{500, std::string(kJsonContentType), error_json("internal error"), {}};
    keep_alive_ = false;
  }
  LOG_DEBUG(kLog, request_.method << " " << request_.target << " " << response.status);
  const bool head = request_.method == "HEAD";
  write(write_response(response, version_minor_, head, keep_alive_), keep_alive_ ? After::NextRequest : After::Close);
}

void AdminConnection::refuse(int status, std::string_view message) {
  keep_alive_ = false;
  const AdminResponse response{status, std::string(kJsonContentType), error_json(message), {}};
  write(write_response(response, version_minor_, false, false), After::Close);
}

void AdminConnection::write(std::string bytes, After after) {
  output_ = std::move(bytes);
  auto on_written = [self = shared_from_this(), after](std::error_code ec, std::size_t) {
    if (self->closed_) return;
    if (ec) {
      self->close();
      return;
    }
    switch (after) {
      case After::Continue: self->process(); break;
      case After::NextRequest:
        self->arm_timer();
        self->process();  // a pipelined request may be buffered already
        break;
      case After::Close: {
        std::error_code ignored;
        self->socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
        self->timer_.expires_after(kLingerTimeout);
        self->timer_.async_wait([self](std::error_code timer_ec) {
          if (!timer_ec) self->close();
        });
        self->input_.clear();
        self->consumed_ = 0;
        self->linger();
        break;
      }
    }
  };
  asio::async_write(socket_, asio::buffer(output_), std::move(on_written));
}

// Discards whatever the client still sends until it closes (or the linger timer fires).
void AdminConnection::linger() {
  socket_.async_read_some(asio::buffer(read_buffer_), [self = shared_from_this()](std::error_code ec, std::size_t) {
    if (self->closed_) return;
    if (ec) {
      self->close();
      return;
    }
    self->linger();
  });
}

}  // namespace zedge::admin
