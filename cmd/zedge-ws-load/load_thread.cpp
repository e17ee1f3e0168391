#include "load_thread.hpp"

#include <algorithm>
#include <asio/ip/address_v4.hpp>

namespace zedge::wsload {
namespace {

// Connects in flight per thread: a crowd of SYNs beyond the listen backlog
// (net.core.somaxconn) would be dropped and retried only after a second.
constexpr std::size_t kSetupsInFlightMax = 256;
// How often overdue echoes are looked for.
constexpr auto kTickInterval = std::chrono::milliseconds(100);
// The request's key is RFC 6455 §1.3's sample nonce (see kExpectedAccept).
constexpr std::string_view kUpgradeHeaders =
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Version: 13\r\n"
    "\r\n";

template <typename Seconds>
Clock::duration to_duration(Seconds s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

}  // namespace

LoadThread::LoadThread(const LoadOptions& options, std::string_view payload, std::size_t connections,
                       std::uint64_t seed)
    : options_(options),
      payload_(payload),
      endpoint_(asio::ip::make_address_v4(options.host), static_cast<asio::ip::port_type>(options.port)),
      random_state_(seed | 1) {
  upgrade_request_ = "GET " + options.path + " HTTP/1.1\r\nHost: " + options.host + ":" + std::to_string(options.port) +
                     "\r\n" + std::string(kUpgradeHeaders);
  connections_.reserve(connections);
  for (std::size_t i = 0; i < connections; ++i) {
    connections_.push_back(std::make_unique<WsLoadConnection>(*this));
  }
}

// xorshift64*: masking keys need no cryptographic strength here, only to change.
std::uint32_t LoadThread::next_mask_key() {
  random_state_ ^= random_state_ >> 12;
  random_state_ ^= random_state_ << 25;
  random_state_ ^= random_state_ >> 27;
  return static_cast<std::uint32_t>((random_state_ * 0x2545F4914F6CDD1DULL) >> 32);
}

void LoadThread::run_setup() {
  if (connections_.empty()) return;
  deadline_timer_.expires_after(to_duration(options_.connect_timeout_s));
  deadline_timer_.async_wait([this](const std::error_code& ec) {
    if (ec) return;  // cancelled: every setup finished in time
    // Whatever has not started never will; everything unfinished fails.
    setups_running_ += connections_.size() - next_setup_;
    next_setup_ = connections_.size();
    for (auto& c : connections_) c->abort_setup();
  });
  start_more_setups();
  io_.run();
  io_.restart();
}

void LoadThread::start_more_setups() {
  while (next_setup_ < connections_.size() && setups_running_ < kSetupsInFlightMax) {
    ++setups_running_;
    connections_[next_setup_++]->start_setup();
  }
}

void LoadThread::setup_finished() {
  --setups_running_;
  start_more_setups();
  if (setups_running_ == 0 && next_setup_ == connections_.size()) deadline_timer_.cancel();
}

void LoadThread::run_load(Clock::time_point end) {
  const bool any_ready =
      std::any_of(connections_.begin(), connections_.end(), [](const auto& c) { return c->was_ready(); });
  if (any_ready && Clock::now() < end) {
    loading_ = true;
    deadline_timer_.expires_at(end);
    deadline_timer_.async_wait([this](const std::error_code& ec) {
      if (!ec) stop_all();
    });
    tick_timer_.expires_after(kTickInterval);
    tick_timer_.async_wait([this](const std::error_code& ec) {
      if (!ec) on_tick();
    });
    for (auto& c : connections_) c->start_load();
    io_.run();  // until stop_all() at `end`
  } else {
    stopped_at_ = Clock::now();
  }
  for (const auto& c : connections_) {
    if (!c->was_ready()) continue;
    counters_.min_connection_messages = std::min(counters_.min_connection_messages, c->messages());
    counters_.max_connection_messages = std::max(counters_.max_connection_messages, c->messages());
  }
}

void LoadThread::on_tick() {
  if (!loading_) return;
  const Clock::time_point now = Clock::now();
  const Clock::duration timeout = to_duration(options_.message_timeout_s);
  for (auto& c : connections_) c->check_echo_deadline(now, timeout);
  tick_timer_.expires_after(kTickInterval);
  tick_timer_.async_wait([this](const std::error_code& ec) {
    if (!ec) on_tick();
  });
}

void LoadThread::stop_all() {
  loading_ = false;
  stopped_at_ = Clock::now();
  tick_timer_.cancel();
  for (auto& c : connections_) c->stop();
}

}  // namespace zedge::wsload
