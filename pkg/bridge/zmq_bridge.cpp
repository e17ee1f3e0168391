#include "bridge/zmq_bridge.hpp"

#include <sys/eventfd.h>
#include <unistd.h>
#include <zmq.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "bridge/zmq_endpoints.hpp"
#include "bridge/zmq_message.hpp"
#include "log/log.hpp"
#include "zhttp/packet.hpp"

namespace zedge::bridge {
namespace {

constexpr const char* kLog = "bridge";
// Condure retries ROUTER sends to a momentarily unknown peer every 50 ms.
constexpr long kRouterRetryMs = 50;
// Messages taken from one source per loop turn, so no source starves the others.
constexpr int kBatchPerSource = 256;
// Above this many undelivered handler packets for one worker we stop reading handlers.
constexpr std::size_t kWorkerPendingMax = 4096;
// Above this many unsent first packets (no handler, or handlers at HWM) we stop
// taking new work from workers: backpressure reaches clients instead of our memory.
constexpr std::size_t kSendPendingMax = 4096;
// ROUTER retries before a packet for an unknown handler identity is dropped (~1 s).
constexpr int kRouterAttemptsMax = 20;

// Worker index is the decimal prefix of a request id ("<worker>-<slot>-<counter>").
std::optional<std::size_t> worker_of(std::string_view id) {
  std::size_t worker = 0;
  const auto [ptr, ec] = std::from_chars(id.data(), id.data() + id.size(), worker);
  if (ec != std::errc{} || ptr == id.data() + id.size() || *ptr != '-') return std::nullopt;
  return worker;
}

}  // namespace

ZmqBridge::ZmqBridge(BridgeOptions options, std::vector<WorkerChannel*> channels)
    : options_(std::move(options)),
      sockets_(options_),
      discovered_(options_),
      channels_(std::move(channels)),
      wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
      worker_pending_(channels_.size()),
      worker_touched_(channels_.size(), false) {}

ZmqBridge::~ZmqBridge() {
  stop();
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

std::optional<std::string> ZmqBridge::open() {
  if (!options_.stream_bases.empty()) {
    sockets_.open_stream();
    for (const auto& base : options_.stream_bases) {
      std::string error;
      const auto endpoints = stream_endpoints(base, error);
      if (!endpoints) return error;
      if (discovered_.take(base)) continue;
      if (auto attach_error = sockets_.attach_stream(*endpoints)) return attach_error;
    }
    LOG_INFO(kLog, "zhttp client " << (options_.connect ? "connect" : "bind") << " stream "
                                   << options_.stream_bases.size() << " base(s)");
  }
  if (options_.req_enabled && !options_.req_specs.empty()) {
    if (auto error = sockets_.open_req(options_.req_specs)) return error;
  }
  return std::nullopt;
}

void ZmqBridge::start() {
  if (!discovered_.empty()) {
    // Requests go only to handlers whose connection is up; a record whose handler is not
    // listening must not swallow them (ZeroMQ queues to a connecting pipe otherwise).
    // Set before the bridge thread owns the socket.
    sockets_.push().set(ZMQ_IMMEDIATE, 1);
  }
  thread_ = std::thread([this] { run(); });
  if (!discovered_.empty()) discovered_.start([this] { wake(); });
}

void ZmqBridge::wake() {
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = ::write(wake_fd_, &one, sizeof one);
}

void ZmqBridge::stop() {
  discovered_.stop();
  if (thread_.joinable()) {
    stopping_.store(true);
    wake();
    thread_.join();
  }
  sockets_.close();
}

void ZmqBridge::run() {
  // libzmq frees the pipe of a peer that went away only when the socket handles its
  // pending commands, which it does inside calls on that socket. zedge never reads PUSH or
  // ROUTER, so while one was quiet every handler that came and went left its pipes behind
  // (~11 KiB each, found by the soak). The socket's command mailbox fd wakes the loop, and
  // reading ZMQ_EVENTS makes libzmq handle the commands.
  constexpr int kQuietSockets = 2;
  ZmqSocket* const quiet_sockets[kQuietSockets] = {&sockets_.push(), &sockets_.router()};
  const int quiet_fds[kQuietSockets] = {quiet_sockets[0]->get_int(ZMQ_FD).value_or(-1),
                                        quiet_sockets[1]->get_int(ZMQ_FD).value_or(-1)};
  ZmqSocket& push = sockets_.push();
  ZmqSocket& sub = sockets_.sub();
  ZmqSocket& dealer = sockets_.dealer();
  ZmqSocket& push_events = sockets_.push_events();
  for (;;) {
    const bool stopping = stopping_.load();
    if (push_pending_.size() < kSendPendingMax || stopping) drain_workers();
    flush_push_pending();
    flush_router_pending();
    if (stopping) break;

    zmq_pollitem_t items[8];
    int count = 0;
    items[count++] = {nullptr, wake_fd_, ZMQ_POLLIN, 0};
    if (push_events) items[count++] = {push_events.get(), 0, ZMQ_POLLIN, 0};
    const bool reading = !workers_backlogged();
    if (sub && reading) items[count++] = {sub.get(), 0, ZMQ_POLLIN, 0};
    if (dealer && reading) {
      const auto events = static_cast<short>(ZMQ_POLLIN | (req_pending_.empty() ? 0 : ZMQ_POLLOUT));
      items[count++] = {dealer.get(), 0, events, 0};
    }
    if (push && !push_pending_.empty()) items[count++] = {push.get(), 0, ZMQ_POLLOUT, 0};
    const int first_mailbox = count;
    for (const int fd : quiet_fds) {
      items[count++] = {nullptr, fd, static_cast<short>(fd >= 0 ? ZMQ_POLLIN : 0), 0};
    }
    const bool must_retry = !router_pending_.empty() || !req_pending_.empty() || any_worker_pending();
    zmq_poll(items, count, must_retry ? kRouterRetryMs : -1);

    if (items[0].revents & ZMQ_POLLIN) {
      std::uint64_t counter = 0;
      [[maybe_unused]] const ssize_t n = ::read(wake_fd_, &counter, sizeof counter);
    }
    if (push_events && (items[1].revents & ZMQ_POLLIN)) receive_push_events();
    for (int i = 0; i < kQuietSockets; ++i) {
      // libzmq handles the commands while it answers.
      if (items[first_mailbox + i].revents & ZMQ_POLLIN) quiet_sockets[i]->get_int(ZMQ_EVENTS);
    }
    if (!discovered_.empty()) discovered_.apply(sockets_);
    if (sub) receive_sub();
    if (dealer) receive_req();
    flush_worker_pending();
  }
  // Final drain so shutdown cancels queued by workers are handed to libzmq.
  drain_workers();
  flush_push_pending();
  flush_router_pending();
}

void ZmqBridge::drain_workers() {
  ToBridge message;
  for (auto* channel : channels_) {
    for (int i = 0; i < kBatchPerSource * 4 && channel->to_bridge.try_pop(message); ++i) {
      switch (message.route) {
        case ToBridge::Route::StreamInit: send_push(std::move(message.frame)); break;
        case ToBridge::Route::StreamReply: send_router(std::move(message.address), std::move(message.frame)); break;
        case ToBridge::Route::Req: send_req(std::move(message.frame)); break;
      }
    }
    if (channel->worker_waiting_for_room.exchange(false)) channel->wake_worker();
  }
}

void ZmqBridge::send_push(std::string frame) {
  if (!sockets_.push()) return;
  if (push_pending_.empty() && sockets_.push().send_now({frame})) return;
  // No handler connected yet, or every handler is at its high-water mark: keep the
  // request (Condure does the same) until PUSH can take it.
  push_pending_.push_back(std::move(frame));
}

void ZmqBridge::flush_push_pending() {
  while (!push_pending_.empty() && sockets_.push().send_now({push_pending_.front()})) {
    push_pending_.pop_front();
  }
}

void ZmqBridge::send_router(std::string address, std::string frame) {
  if (!sockets_.router()) return;
  if (router_pending_.empty() && sockets_.router().send_now({address, "", frame})) return;
  // Retried like Condure: the handler may still be connecting its ROUTER.
  router_pending_.push_back({std::move(address), std::move(frame)});
}

void ZmqBridge::flush_router_pending() {
  // Each pending packet gets one more try per turn; a peer that stays unknown across
  // the retry window is gone, and its packets are dropped.
  std::size_t n = router_pending_.size();
  while (n-- > 0) {
    PendingSend item = std::move(router_pending_.front());
    router_pending_.pop_front();
    if (sockets_.router().send_now({item.address, "", item.frame})) continue;
    if (zmq_errno() == EHOSTUNREACH && ++item.attempts > kRouterAttemptsMax) {
      // The sessions it was for learn their handler is gone, rather than wait for their
      // session timer with a client that may be waiting on them.
      LOG_DEBUG(kLog, "dropping packet for unknown handler " << item.address);
      route_to_workers(ToWorker::Source::Unroutable, item.frame, item.address);
      continue;
    }
    router_pending_.push_back(std::move(item));
  }
}

void ZmqBridge::send_req(std::string frame) {
  if (!sockets_.dealer()) return;
  if (req_pending_.empty() && sockets_.dealer().send_now({"", frame})) return;
  req_pending_.push_back(std::move(frame));
  flush_req_pending();
}

void ZmqBridge::flush_req_pending() {
  while (!req_pending_.empty() && sockets_.dealer().send_now({"", req_pending_.front()})) {
    req_pending_.pop_front();
  }
}

void ZmqBridge::receive_push_events() {
  for (;;) {
    ZmqMessage event;
    if (!event.receive(sockets_.push_events())) return;
    std::uint16_t id = 0;
    if (event.data().size() >= sizeof id) std::memcpy(&id, event.data().data(), sizeof id);
    if (event.more()) {
      ZmqMessage endpoint;
      endpoint.receive(sockets_.push_events(), 0);
    }
    int peers = handler_peers_.load();
    if (id == ZMQ_EVENT_ACCEPTED || id == ZMQ_EVENT_CONNECTED) ++peers;
    if (id == ZMQ_EVENT_DISCONNECTED && peers > 0) --peers;
    handler_peers_.store(peers);
    LOG_DEBUG(kLog, "handlers connected: " << peers);
    if (options_.handlers_changed) options_.handlers_changed(peers);
  }
}

void ZmqBridge::receive_sub() {
  const std::string_view prefix_expected = options_.instance_id;
  ZmqMessage message;
  for (int i = 0; i < kBatchPerSource && !workers_backlogged(); ++i) {
    if (!message.receive(sockets_.sub())) break;
    const std::string_view data = message.data();
    // "<instance-id> T..." — the SUB filter matched the prefix already.
    if (data.size() > prefix_expected.size() + 1 && data.starts_with(prefix_expected) &&
        data[prefix_expected.size()] == ' ') {
      route_to_workers(ToWorker::Source::Stream, data.substr(prefix_expected.size() + 1));
    } else {
      LOG_DEBUG(kLog, "packet not for us dropped");
    }
  }
}

void ZmqBridge::receive_req() {
  flush_req_pending();
  ZmqMessage message;
  for (int i = 0; i < kBatchPerSource && !workers_backlogged(); ++i) {
    // DEALER replies arrive as ["", T...]; anything else is a handler bug.
    std::vector<std::string> parts;
    bool more = true;
    while (more && message.receive(sockets_.dealer())) {
      parts.emplace_back(message.data());
      more = message.more();
    }
    if (parts.empty()) break;
    if (parts.size() != 2 || !parts[0].empty()) {
      LOG_WARN(kLog, "req reply with unexpected envelope of " << parts.size() << " part(s) dropped");
      continue;
    }
    route_to_workers(ToWorker::Source::Req, parts[1]);
  }
}

void ZmqBridge::route_to_workers(ToWorker::Source source, std::string_view frame, std::string_view unroutable_address) {
  std::vector<std::string_view> ids;
  std::deque<std::string> storage;
  if (!zhttp::scan_ids(frame, ids, storage)) {
    LOG_WARN(kLog, "zhttp packet without a valid id dropped");
    return;
  }
  std::vector<bool> sent(channels_.size(), false);
  for (const auto id : ids) {
    const auto worker = worker_of(id);
    if (!worker || *worker >= channels_.size()) {
      LOG_DEBUG(kLog, "packet for unknown id " << id << " dropped");
      continue;
    }
    if (sent[*worker]) continue;
    sent[*worker] = true;
    ToWorker message{source, std::string(frame), std::string(unroutable_address)};
    if (worker_pending_[*worker].empty() && channels_[*worker]->to_worker.try_push(message)) {
      worker_touched_[*worker] = true;
    } else {
      worker_pending_[*worker].push_back(std::move(message));
    }
  }
}

void ZmqBridge::flush_worker_pending() {
  for (std::size_t w = 0; w < channels_.size(); ++w) {
    auto& pending = worker_pending_[w];
    while (!pending.empty() && channels_[w]->to_worker.try_push(pending.front())) {
      pending.pop_front();
      worker_touched_[w] = true;
    }
    if (worker_touched_[w]) {
      channels_[w]->wake_worker();
      worker_touched_[w] = false;
    }
  }
}

bool ZmqBridge::workers_backlogged() const {
  for (const auto& pending : worker_pending_) {
    if (pending.size() >= kWorkerPendingMax) return true;
  }
  return false;
}

bool ZmqBridge::any_worker_pending() const {
  for (const auto& pending : worker_pending_) {
    if (!pending.empty()) return true;
  }
  return false;
}

}  // namespace zedge::bridge
