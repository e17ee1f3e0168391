#include "server/worker.hpp"

#include <algorithm>
#include <charconv>
#include <deque>

#include "log/log.hpp"
#include "server/http_connection.hpp"
#include "server/keepalive_batches.hpp"
#include "zhttp/packet.hpp"

namespace zedge::server {
namespace {

constexpr const char* kLog = "worker";
// Handler packets handled per wakeup before yielding to client I/O.
constexpr int kPacketsPerTurn = 512;
// How often connection deadlines are checked. Timeouts are whole seconds (Condure's are
// 30 s, 60 s, 1800 s), so a quarter second of slack is invisible.
constexpr auto kDeadlineSweepInterval = std::chrono::milliseconds(250);

// The slot is the number between the first and second '-' of "<worker>-<slot>-<counter>".
std::optional<std::uint32_t> slot_of(std::string_view id) {
  const auto first = id.find('-');
  if (first == std::string_view::npos) return std::nullopt;
  const auto second = id.find('-', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  std::uint32_t slot = 0;
  const auto [ptr, ec] = std::from_chars(id.data() + first + 1, id.data() + second, slot);
  if (ec != std::errc{} || ptr != id.data() + second) return std::nullopt;
  return slot;
}

void append_number(std::string& out, std::uint64_t value, int base) {
  char digits[24];
  const auto result = std::to_chars(digits, digits + sizeof digits, value, base);
  out.append(digits, result.ptr);
}

std::uint64_t share_of(std::uint64_t total, unsigned workers) { return std::max<std::uint64_t>(1, total / workers); }

}  // namespace

Worker::Worker(unsigned index, const ConnectionSettings& settings, bridge::WorkerChannel& channel,
               std::function<void()> wake_bridge, const std::atomic<int>& handler_peers)
    : index_(index),
      settings_(settings),
      channel_(channel),
      wake_bridge_(std::move(wake_bridge)),
      handler_peers_(handler_peers),
      work_(asio::make_work_guard(io_)),
      wake_(io_, ::dup(channel.worker_wake_fd())),
      sweep_timer_(io_),
      read_scratch_(new char[settings.buffer_size_bytes()]),
      stream_max_(share_of(settings.stream_maxconn, settings.workers)),
      req_max_(share_of(settings.req_maxconn, settings.workers)) {
  settings_.stream.events = &events_;
  settings_.req.events = &events_;
  secure_stream_ = settings_.stream;
  secure_req_ = settings_.req;
  secure_stream_.secure = true;
  secure_req_.secure = true;
}

Worker::~Worker() { join(); }

void Worker::start() {
  next_keepalive_ = std::chrono::steady_clock::now() + settings_.keepalive_interval;
  wait_for_bridge();
  sweep_deadlines();
  thread_ = std::thread([this] { io_.run(); });
}

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::shutdown() {
  asio::post(io_, [this] {
    shutting_down_ = true;
    const auto connections = slots_;  // shutdown releases slots while we iterate
    for (const auto& connection : connections) {
      if (connection) connection->shutdown();
    }
    const auto lingering = lingering_;
    for (const auto& connection : lingering) connection->shutdown();
    flush_outbox();
    // Whatever is still in the outbox could not fit in the queue; give it one more try
    // after the bridge drained, then stop.
    asio::post(io_, [this] {
      flush_outbox();
      work_.reset();
      asio::error_code ignored;
      wake_.close(ignored);
      sweep_timer_.cancel();
    });
  });
}

void Worker::drain(std::chrono::steady_clock::time_point deadline, bool websockets_now) {
  asio::post(io_, [this, deadline, websockets_now] {
    draining_ = true;
    drain_deadline_passed_ = false;
    drain_deadline_ = deadline;
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      auto connection = slots_[i];
      if (!connection) continue;
      connection->set_draining(true);
      if (websockets_now && connection->session().is_websocket()) connection->go_away();
    }
  });
}

void Worker::cancel_drain() {
  asio::post(io_, [this] {
    draining_ = false;
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      if (auto connection = slots_[i]) connection->set_draining(false);
    }
  });
}

void Worker::report(std::function<void(WorkerReport)> done) {
  asio::post(io_, [this, done = std::move(done)] {
    WorkerReport r;
    r.index = index_;
    for (const auto& connection : slots_) {
      if (!connection) continue;
      auto& session = connection->session();
      if (connection->mode() == Mode::Req) {
        ++r.req_mode;
      } else if (session.is_websocket()) {
        ++r.websocket;
      } else if (session.idle()) {
        ++r.http_idle;
      } else {
        ++r.http_active;
      }
    }
    r.lingering = lingering_.size();
    r.handlers = handlers_seen_;
    done(std::move(r));
  });
}

// Found by the slot the id names; slots are reused, so the session's id must match too.
// A copy: the connection stays alive through a call that closes it and frees its slot.
std::shared_ptr<HttpConnection> Worker::connection_for(std::string_view request_id) const {
  const auto slot = slot_of(request_id);
  if (!slot || *slot >= slots_.size()) return nullptr;
  const auto& connection = slots_[*slot];
  if (!connection || connection->request_id() != request_id) return nullptr;
  return connection;
}

// A packet of a type Condure does not know ends the sessions it addresses at once,
// instead of leaving their clients to the session timer.
void Worker::abort_addressed(std::string_view frame) {
  std::vector<std::string_view> ids;
  std::deque<std::string> storage;
  if (!zhttp::scan_ids(frame, ids, storage)) return;
  for (const auto id : ids) {
    if (const auto connection = connection_for(id)) connection->abort_protocol_error();
  }
}

// A handler speaking for a session zedge no longer has (its client left before the
// handler's first packet, when its address was not known yet) hears `cancel`, as from
// Condure, instead of streaming to nobody until its own timer.
void Worker::remember_abandoned(const std::string& id) { abandoned_.remember(id, std::chrono::steady_clock::now()); }

void Worker::cancel_unknown(const zhttp::Packet& packet, const zhttp::IdSeq& addressed) {
  // Only sessions we abandoned: an id we never had is just dropped (as Condure does).
  if (!abandoned_.take_for_cancel(packet, addressed.id)) return;
  zhttp::Packet cancel;
  cancel.from = settings_.stream.instance_id;
  cancel.ids.push_back({addressed.id, std::nullopt});
  cancel.ext_multi = true;
  cancel.type = zhttp::PacketType::Cancel;
  send_to_bridge({bridge::ToBridge::Route::StreamReply, std::string(packet.from), zhttp::encode(cancel)});
  metrics_.zhttp_packet(metrics::PacketDirection::ToHandler, metrics::PacketKind::Cancel);
}

void Worker::note_handler(std::string_view from) {
  if (from.empty()) return;
  const auto now = std::chrono::steady_clock::now();
  for (auto& [address, seen] : handlers_seen_) {
    if (address == from) {
      seen = now;
      return;
    }
  }
  // Bounded: handler addresses are ZeroMQ identities, but a misbehaving peer could invent
  // many; keep the most recent ones.
  constexpr std::size_t kHandlersKept = 256;
  if (handlers_seen_.size() >= kHandlersKept) handlers_seen_.erase(handlers_seen_.begin());
  handlers_seen_.emplace_back(std::string(from), now);
}

bool Worker::has_room(Mode mode) const {
  return mode == Mode::Stream ? stream_count_.load() < stream_max_ : req_count_.load() < req_max_;
}

void Worker::reserve(Mode mode) { (mode == Mode::Stream ? stream_count_ : req_count_).fetch_add(1); }

void Worker::release_reservation(Mode mode) {
  const bool stream = mode == Mode::Stream;
  const std::uint64_t before = (stream ? stream_count_ : req_count_).fetch_sub(1);
  // Both counts are sequentially consistent: of two releases racing to zero, the later
  // one sees the other's and calls the hook.
  if (before == 1 && (stream ? req_count_ : stream_count_).load() == 0 && on_emptied_) on_emptied_();
}

void Worker::adopt(asio::generic::stream_protocol::socket socket, const ListenerInfo& listener, PeerInfo peer,
                   bool refuse) {
  if (shutting_down_) {
    release_reservation(listener.mode);
    return;
  }
  std::uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  const session::SessionSettings& session_settings = !listener.secure                ? settings_.for_mode(listener.mode)
                                                     : listener.mode == Mode::Stream ? secure_stream_
                                                                                     : secure_req_;
  auto connection =
      std::make_shared<HttpConnection>(*this, slot, std::move(socket), session_settings, std::move(peer), listener.tls);
  slots_[slot] = connection;
  metrics_.count_accepted();
  metrics_.connection_opened(metrics::Protocol::Http);
  if (draining_) connection->set_draining(true);
  connection->start();
  // Past the drain deadline a listener's backlog is still answered, but with 503.
  if (drain_deadline_passed_)
    connection->go_away();
  else if (refuse)
    connection->refuse_requests();
}

void Worker::release(std::uint32_t slot, Mode mode) {
  if (slot < slots_.size() && slots_[slot]) {
    slots_[slot].reset();
    free_slots_.push_back(slot);
    release_reservation(mode);
  }
}

std::string Worker::next_request_id(std::uint32_t slot) {
  // "<worker>-<slot>-<counter hex>", as Condure; the bridge routes by
  // the worker prefix and we find the connection by the slot.
  std::string id;
  id.reserve(24);
  append_number(id, index_, 10);
  id += '-';
  append_number(id, slot, 10);
  id += '-';
  append_number(id, request_counter_++, 16);
  return id;
}

void Worker::sweep_deadlines() {
  sweep_timer_.expires_after(kDeadlineSweepInterval);
  sweep_timer_.async_wait([this](const asio::error_code& ec) {
    if (ec || shutting_down_) return;
    const auto now = std::chrono::steady_clock::now();
    // Index loops: a tick may close a connection, which frees its slot (or leaves the
    // lingering list) but never reallocates; the copy keeps the connection alive.
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      if (auto connection = slots_[i]) connection->on_tick(now);
    }
    for (std::size_t i = 0; i < lingering_.size(); ++i) {
      auto connection = lingering_[i];
      connection->on_tick(now);
    }
    if (draining_ && !drain_deadline_passed_ && now >= drain_deadline_) {
      drain_deadline_passed_ = true;
      for (std::size_t i = 0; i < slots_.size(); ++i) {
        if (auto connection = slots_[i]) connection->go_away();
      }
    }
    if (now >= next_keepalive_) {
      next_keepalive_ = now + settings_.keepalive_interval;
      send_keepalives();
    }
    sweep_deadlines();
  });
}

void Worker::send_keepalives() {
  // One multi-id keep-alive per handler address for all its open sessions, at most 128 ids
  // a packet. Condure spreads the cycle over 100 ms batches; one batch per interval per
  // worker is just as valid for the handler's 60 s expiry.
  KeepaliveBatches batches;
  for (const auto& connection : slots_) {
    if (connection) batches.add(connection->session());
  }
  for (const auto& batch : batches.packets(settings_.stream.instance_id)) {
    send_to_bridge({bridge::ToBridge::Route::StreamReply, std::string(batch.address), zhttp::encode(batch.packet)});
    metrics_.zhttp_packet(metrics::PacketDirection::ToHandler, metrics::PacketKind::KeepAlive);
  }
}

void Worker::keep_lingering(std::shared_ptr<HttpConnection> connection) { lingering_.push_back(std::move(connection)); }

void Worker::stop_lingering(HttpConnection* connection) {
  const auto it =
      std::find_if(lingering_.begin(), lingering_.end(), [connection](const auto& c) { return c.get() == connection; });
  if (it != lingering_.end()) {
    std::swap(*it, lingering_.back());
    // Destroying here could free the connection inside its own member; defer the last ref.
    asio::post(io_, [last = std::move(lingering_.back())] {});
    lingering_.pop_back();
  }
}

void Worker::send_to_bridge(bridge::ToBridge message) {
  if (!outbox_.empty() || !channel_.to_bridge.try_push(message)) {
    outbox_.push_back(std::move(message));
    channel_.worker_waiting_for_room.store(true);
  }
  // Wake the bridge once per turn of the event loop, however many packets we queued.
  if (!bridge_wake_pending_) {
    bridge_wake_pending_ = true;
    asio::post(io_, [this] {
      bridge_wake_pending_ = false;
      wake_bridge_();
    });
  }
}

void Worker::flush_outbox() {
  std::size_t sent = 0;
  while (sent < outbox_.size() && channel_.to_bridge.try_push(outbox_[sent])) ++sent;
  outbox_.erase(outbox_.begin(), outbox_.begin() + static_cast<std::ptrdiff_t>(sent));
  if (!outbox_.empty()) channel_.worker_waiting_for_room.store(true);
  if (sent > 0) wake_bridge_();
  if (outbox_.empty() && !waiting_for_room_.empty()) {
    auto resumed = std::move(waiting_for_room_);
    waiting_for_room_.clear();
    for (auto& connection : resumed) connection->resume_reading();
  }
}

void Worker::resume_when_room(std::shared_ptr<HttpConnection> connection) {
  waiting_for_room_.push_back(std::move(connection));
}

void Worker::wait_for_bridge() {
  wake_.async_wait(asio::posix::stream_descriptor::wait_read, [this](const asio::error_code& ec) {
    if (ec) return;
    std::uint64_t counter = 0;
    [[maybe_unused]] const ssize_t n = ::read(wake_.native_handle(), &counter, sizeof counter);
    receive_from_bridge();
    wait_for_bridge();
  });
}

void Worker::receive_from_bridge() {
  if (!outbox_.empty()) flush_outbox();
  bridge::ToWorker message;
  int handled = 0;
  while (handled < kPacketsPerTurn && channel_.to_worker.try_pop(message)) {
    dispatch(message);
    ++handled;
  }
  // More left: continue after client I/O had its turn (the eventfd will not fire again).
  if (!channel_.to_worker.empty()) asio::post(io_, [this] { receive_from_bridge(); });
}

// Our packet to `address` could not be delivered: that handler is gone (its identity is
// unknown to the ROUTER). Sessions still answered by it end now; one handed to another
// handler meanwhile is not its concern any more.
void Worker::handler_unreachable(std::string_view frame, std::string_view address) {
  std::vector<std::string_view> ids;
  std::deque<std::string> storage;
  if (!zhttp::scan_ids(frame, ids, storage)) return;
  for (const auto id : ids) {
    const auto connection = connection_for(id);
    if (!connection || connection->session().handler_address() != address) continue;
    connection->on_handler_unreachable();
  }
}

void Worker::dispatch(bridge::ToWorker& message) {
  if (message.source == bridge::ToWorker::Source::Unroutable) {
    handler_unreachable(message.frame, message.unroutable_address);
    return;
  }
  // One Packet reused for every frame keeps its vectors' capacity (no allocation per packet).
  zhttp::Packet& packet = packet_;
  const auto error = zhttp::parse(message.frame, packet);
  if (error != zhttp::ParseError::None) {
    LOG_WARN(kLog, "zhttp parse error: " << zhttp::error_text(error));
    if (error == zhttp::ParseError::UnknownType) abort_addressed(message.frame);
    return;
  }
  note_handler(packet.from);
  metrics_.zhttp_packet(metrics::PacketDirection::FromHandler, packet_kind(packet.type));
  // One packet may address many sessions (multi-id); deliver to each of ours.
  for (const auto& addressed : packet.ids) {
    const auto connection = connection_for(addressed.id);
    if (connection)
      connection->on_handler_packet(packet, addressed);
    else
      cancel_unknown(packet, addressed);
  }
}

}  // namespace zedge::server
