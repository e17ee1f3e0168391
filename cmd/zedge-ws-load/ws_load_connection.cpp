#include "ws_load_connection.hpp"

#include <asio/buffer.hpp>
#include <asio/error.hpp>
#include <asio/write.hpp>
#include <charconv>
#include <string>

#include "load_thread.hpp"

namespace zedge::wsload {
namespace {

// Holds the upgrade response head and then whatever one read returns; an echo larger
// than this is simply read in several pieces (EchoReader compares as bytes arrive).
constexpr std::size_t kReadBufferBytes = 16 * 1024;
constexpr std::string_view kHeadEnd = "\r\n\r\n";
// RFC 6455 §1.3's example: the request's key is its sample nonce, so the accept is fixed.
constexpr std::string_view kExpectedAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
constexpr std::string_view kStatusLinePrefix = "HTTP/1.1 ";
constexpr int kStatusSwitchingProtocols = 101;
constexpr std::size_t kStatusDigits = 3;

}  // namespace

WsLoadConnection::WsLoadConnection(LoadThread& owner)
    : owner_(owner), socket_(owner.io()), frame_(owner.payload()), reader_(owner.payload()), in_(kReadBufferBytes) {}

void WsLoadConnection::start_setup() {
  state_ = State::kConnecting;
  socket_.async_connect(owner_.endpoint(), [this](const std::error_code& ec) { on_connected(ec); });
}

void WsLoadConnection::on_connected(const std::error_code& ec) {
  if (state_ != State::kConnecting) return;  // aborted meanwhile
  if (ec) {
    fail(LoadError::kConnect, "connect: " + ec.message());
    return;
  }
  std::error_code ignored;
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  state_ = State::kUpgrading;
  asio::async_write(socket_, asio::buffer(owner_.upgrade_request()),
                    [this](const std::error_code& write_ec, std::size_t) {
                      if (write_ec && state_ == State::kUpgrading) {
                        fail(LoadError::kHandshake, "upgrade write: " + write_ec.message());
                      }
                    });
  read_upgrade();
}

void WsLoadConnection::read_upgrade() {
  socket_.async_read_some(asio::buffer(in_.data() + in_have_, in_.size() - in_have_),
                          [this](const std::error_code& ec, std::size_t n) { on_upgrade_bytes(ec, n); });
}

void WsLoadConnection::on_upgrade_bytes(const std::error_code& ec, std::size_t n) {
  if (state_ != State::kUpgrading) return;
  if (ec) {
    ++owner_.counters().handshake_status[0];
    fail(LoadError::kHandshake, "upgrade read: " + ec.message());
    return;
  }
  const std::size_t searched_from = in_have_ >= kHeadEnd.size() ? in_have_ - kHeadEnd.size() : 0;
  in_have_ += n;
  const std::string_view have(in_.data(), in_have_);
  const std::size_t end = have.find(kHeadEnd, searched_from);
  if (end != std::string_view::npos) {
    check_upgrade(end + kHeadEnd.size());
  } else if (in_have_ == in_.size()) {
    ++owner_.counters().handshake_status[0];
    fail(LoadError::kHandshake, "upgrade response head too long");
  } else {
    read_upgrade();
  }
}

void WsLoadConnection::check_upgrade(std::size_t head_bytes) {
  const std::string_view head(in_.data(), head_bytes);
  int status = 0;
  if (head.rfind(kStatusLinePrefix, 0) == 0 && head.size() >= kStatusLinePrefix.size() + kStatusDigits) {
    const char* digits = head.data() + kStatusLinePrefix.size();
    std::from_chars(digits, digits + kStatusDigits, status);
  }
  if (status != kStatusSwitchingProtocols) {
    ++owner_.counters().handshake_status[status];
    fail(LoadError::kHandshake, "upgrade answered " + std::string(head.substr(0, head.find('\r'))));
    return;
  }
  if (head.find(kExpectedAccept) == std::string_view::npos) {
    ++owner_.counters().handshake_status[status];
    fail(LoadError::kHandshake, "101 without the expected Sec-WebSocket-Accept");
    return;
  }
  if (head_bytes != in_have_) {
    // The server cannot have anything to say before the first message.
    fail(LoadError::kMismatch, "bytes after the 101 before any message");
    return;
  }
  state_ = State::kReady;
  was_ready_ = true;
  ++owner_.counters().ready;
  owner_.setup_finished();
}

void WsLoadConnection::abort_setup() {
  if (state_ == State::kNew || state_ == State::kConnecting) {
    fail(LoadError::kConnect, "connect did not finish by --connect-timeout");
  } else if (state_ == State::kUpgrading) {
    ++owner_.counters().handshake_status[0];
    fail(LoadError::kHandshake, "upgrade did not finish by --connect-timeout");
  }
}

void WsLoadConnection::start_load() {
  if (state_ != State::kReady) return;
  state_ = State::kLoading;
  std::error_code ec;
  socket_.non_blocking(true, ec);
  if (ec) {
    fail(LoadError::kWrite, "non-blocking mode: " + ec.message());
    return;
  }
  send_message();
  if (state_ == State::kLoading) wait_readable();
}

void WsLoadConnection::send_message() {
  frame_bytes_ = frame_.mask(owner_.next_mask_key());
  sent_at_ = Clock::now();
  awaiting_echo_ = true;
  write_frame_from(0);
}

// The echo can only arrive after the last byte was written, so frame_ is never re-masked
// while a write of it is still pending.
void WsLoadConnection::write_frame_from(std::size_t offset) {
  while (offset < frame_bytes_.size()) {
    std::error_code ec;
    const std::size_t n =
        socket_.write_some(asio::buffer(frame_bytes_.data() + offset, frame_bytes_.size() - offset), ec);
    if (ec == asio::error::would_block) {
      socket_.async_wait(asio::ip::tcp::socket::wait_write, [this, offset](const std::error_code& wait_ec) {
        if (state_ != State::kLoading) return;
        if (wait_ec) {
          fail(LoadError::kWrite, wait_ec.message());
        } else {
          write_frame_from(offset);
        }
      });
      return;
    }
    if (ec) {
      fail(LoadError::kWrite, ec.message());
      return;
    }
    offset += n;
  }
}

void WsLoadConnection::wait_readable() {
  socket_.async_wait(asio::ip::tcp::socket::wait_read, [this](const std::error_code& ec) { on_readable(ec); });
}

void WsLoadConnection::on_readable(const std::error_code& ec) {
  if (state_ != State::kLoading) return;
  if (ec) {
    fail(LoadError::kRead, ec.message());
    return;
  }
  for (;;) {
    std::error_code read_ec;
    const std::size_t n = socket_.read_some(asio::buffer(in_), read_ec);
    if (read_ec == asio::error::would_block) break;
    if (read_ec == asio::error::eof) {
      fail(LoadError::kClosed, "server closed the connection");
      return;
    }
    if (read_ec) {
      fail(LoadError::kRead, read_ec.message());
      return;
    }
    if (!take_echo_bytes(n)) return;
    // A short read emptied the socket: wait for the next readiness (epoll reports every
    // arrival after this point, since the wait is queued before this thread polls again).
    if (n < in_.size()) break;
  }
  wait_readable();
}

bool WsLoadConnection::take_echo_bytes(std::size_t n) {
  std::string_view data(in_.data(), n);
  while (!data.empty()) {
    std::size_t used = 0;
    const EchoReader::Result r = reader_.feed(data, used);
    data.remove_prefix(used);
    switch (r) {
      case EchoReader::Result::kNeedMore: break;
      case EchoReader::Result::kMessage: {
        if (!awaiting_echo_) {
          fail(LoadError::kMismatch, "a message nobody sent");
          return false;
        }
        awaiting_echo_ = false;
        ++messages_;
        LoadCounters& counters = owner_.counters();
        ++counters.messages;
        counters.latency.record(static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - sent_at_).count()));
        send_message();
        if (state_ != State::kLoading) return false;
        break;
      }
      case EchoReader::Result::kClose: fail(LoadError::kClosed, "server sent a close frame"); return false;
      case EchoReader::Result::kBadFrame: fail(LoadError::kMismatch, "malformed frame from the server"); return false;
      case EchoReader::Result::kMismatch:
        fail(LoadError::kMismatch, "echo differs from the message sent");
        return false;
    }
  }
  return true;
}

void WsLoadConnection::check_echo_deadline(Clock::time_point now, Clock::duration message_timeout) {
  if (state_ == State::kLoading && awaiting_echo_ && now - sent_at_ > message_timeout) {
    fail(LoadError::kTimeout, "no echo within --message-timeout");
  }
}

void WsLoadConnection::stop() {
  if (state_ == State::kDone) return;
  state_ = State::kDone;
  close_socket();
}

void WsLoadConnection::fail(LoadError error, std::string_view what) {
  if (state_ == State::kDone) return;
  const bool in_setup = state_ == State::kNew || state_ == State::kConnecting || state_ == State::kUpgrading;
  state_ = State::kDone;
  LoadCounters& counters = owner_.counters();
  counters.count(error);
  if (counters.first_error.empty()) counters.first_error = what;
  close_socket();
  if (in_setup) owner_.setup_finished();
}

void WsLoadConnection::close_socket() {
  std::error_code ignored;
  socket_.close(ignored);
}

}  // namespace zedge::wsload
