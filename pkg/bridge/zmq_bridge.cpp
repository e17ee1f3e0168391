#include "bridge/zmq_bridge.hpp"

#include <arpa/inet.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "bridge/zmq_endpoints.hpp"
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

void set_int(void* socket, int option, int value) {
  zmq_setsockopt(socket, option, &value, sizeof value);
}

// Worker index is the decimal prefix of a request id ("<worker>-<slot>-<counter>").
std::optional<std::size_t> worker_of(std::string_view id) {
  std::size_t worker = 0;
  const auto [ptr, ec] = std::from_chars(id.data(), id.data() + id.size(), worker);
  if (ec != std::errc{} || ptr == id.data() + id.size() || *ptr != '-') return std::nullopt;
  return worker;
}

// libzmq frees the pipe of a peer that went away only when the socket handles its pending
// commands, which it does inside calls on that socket. zedge never reads PUSH or ROUTER,
// so while one was quiet every handler that came and went left its pipes behind (~11 KiB
// each, found by the soak). The socket's command mailbox fd wakes the loop, and reading
// ZMQ_EVENTS makes libzmq handle the commands.
int mailbox_fd(void* socket) {
  int fd = -1;
  std::size_t size = sizeof fd;
  if (socket == nullptr || zmq_getsockopt(socket, ZMQ_FD, &fd, &size) != 0) return -1;
  return fd;
}

void handle_commands(void* socket) {
  int events = 0;
  std::size_t size = sizeof events;
  zmq_getsockopt(socket, ZMQ_EVENTS, &events, &size);
}

bool send_parts(void* socket, std::initializer_list<std::string_view> parts) {
  std::size_t i = 0;
  for (const auto part : parts) {
    const int flags = ZMQ_DONTWAIT | (++i < parts.size() ? ZMQ_SNDMORE : 0);
    if (zmq_send(socket, part.data(), part.size(), flags) < 0) return false;
  }
  return true;
}

}  // namespace

ZmqBridge::ZmqBridge(BridgeOptions options, std::vector<WorkerChannel*> channels)
    : options_(std::move(options)),
      channels_(std::move(channels)),
      worker_pending_(channels_.size()),
      worker_touched_(channels_.size(), false) {
  context_ = zmq_ctx_new();
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

ZmqBridge::~ZmqBridge() {
  stop();
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

bool ZmqBridge::bind_or_connect(void* socket, const std::string& endpoint, std::string& error) {
  if (options_.connect) {
    if (zmq_connect(socket, endpoint.c_str()) != 0) {
      error = "zhttp client connect " + endpoint + ": " + zmq_strerror(zmq_errno());
      return false;
    }
    return true;
  }
  if (zmq_bind(socket, endpoint.c_str()) != 0) {
    error = "zhttp client bind " + endpoint + ": " + zmq_strerror(zmq_errno());
    return false;
  }
  const std::string path = ipc_path(endpoint);
  if (!path.empty()) {
    bound_ipc_paths_.push_back(path);
    if (options_.ipc_file_mode && *options_.ipc_file_mode != 0) {
      ::chmod(path.c_str(), static_cast<mode_t>(*options_.ipc_file_mode));
    }
  }
  return true;
}

std::optional<std::string> ZmqBridge::open() {
  std::string error;
  if (!options_.stream_bases.empty()) {
    push_ = zmq_socket(context_, ZMQ_PUSH);
    router_ = zmq_socket(context_, ZMQ_ROUTER);
    sub_ = zmq_socket(context_, ZMQ_SUB);
    // Unroutable ROUTER sends must fail (EHOSTUNREACH) rather than vanish silently.
    set_int(router_, ZMQ_ROUTER_MANDATORY, 1);
    // A handler restarted under the same identity takes its route over. Without this,
    // libzmq ignores a peer whose identity is still held by the old connection's pipe,
    // for good: every later packet to that handler is unroutable (found by the soak;
    // Condure 1.9.1 has the same failure).
    set_int(router_, ZMQ_ROUTER_HANDOVER, 1);
    for (void* s : {push_, router_, sub_}) {
      set_int(s, ZMQ_SNDHWM, options_.high_water_mark);
      set_int(s, ZMQ_RCVHWM, options_.high_water_mark);
      set_int(s, ZMQ_LINGER, options_.linger_ms);
    }
    // Watch handlers come and go on the PUSH socket (accepted: we bind; connected: we connect).
    const std::string monitor_endpoint = "inproc://zedge-push-monitor";
    zmq_socket_monitor(push_, monitor_endpoint.c_str(),
                       ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_CONNECTED | ZMQ_EVENT_DISCONNECTED);
    push_monitor_ = zmq_socket(context_, ZMQ_PAIR);
    set_int(push_monitor_, ZMQ_LINGER, 0);
    zmq_connect(push_monitor_, monitor_endpoint.c_str());
    const std::string subscription = options_.instance_id + " ";
    zmq_setsockopt(sub_, ZMQ_SUBSCRIBE, subscription.data(), subscription.size());
    for (const auto& base : options_.stream_bases) {
      const auto endpoints = stream_endpoints(base, error);
      if (!endpoints) return error;
      if (auto host = discovered_host(base)) {
        // Connected per DNS record by apply_discovery(), not by ZeroMQ's one-address lookup.
        const auto colon = base.rfind(':');
        DiscoveryStatus status;
        status.base = base;
        discovered_.push_back(DiscoveredBase{base, *host, static_cast<unsigned>(std::stoul(base.substr(colon + 1))),
                                             DiscoveredEndpoints(options_.discovery_grace), std::move(status)});
        continue;
      }
      if (!bind_or_connect(push_, endpoints->out, error) ||
          !bind_or_connect(router_, endpoints->out_stream, error) ||
          !bind_or_connect(sub_, endpoints->in, error)) {
        return error;
      }
    }
    LOG_INFO(kLog, "zhttp client " << (options_.connect ? "connect" : "bind") << " stream "
                                   << options_.stream_bases.size() << " base(s)");
  }
  if (options_.req_enabled && !options_.req_specs.empty()) {
    dealer_ = zmq_socket(context_, ZMQ_DEALER);
    set_int(dealer_, ZMQ_SNDHWM, options_.high_water_mark);
    set_int(dealer_, ZMQ_RCVHWM, options_.high_water_mark);
    set_int(dealer_, ZMQ_LINGER, options_.linger_ms);
    for (const auto& spec : options_.req_specs) {
      if (!bind_or_connect(dealer_, spec, error)) return error;
    }
  }
  return std::nullopt;
}

void ZmqBridge::start() {
  thread_ = std::thread([this] { run(); });
  if (!discovered_.empty()) {
    // Requests go only to handlers whose connection is up; a record whose handler is not
    // listening must not swallow them (ZeroMQ queues to a connecting pipe otherwise).
    set_int(push_, ZMQ_IMMEDIATE, 1);
    std::vector<std::string> names;
    for (const auto& base : discovered_) names.push_back(base.host);
    discovery_ = std::make_unique<HandlerDiscovery>(
        std::move(names), options_.discovery_interval, options_.discovery_dns_server,
        [this](std::size_t target, DnsAnswer answer) { on_discovery_answer(target, std::move(answer)); });
    discovery_->start();
  }
}

void ZmqBridge::wake() {
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = ::write(wake_fd_, &one, sizeof one);
}

void ZmqBridge::stop() {
  if (discovery_) discovery_->stop();
  if (thread_.joinable()) {
    stopping_.store(true);
    wake();
    thread_.join();
  }
  if (push_ != nullptr) zmq_socket_monitor(push_, nullptr, 0);
  for (void** s : {&push_monitor_, &push_, &router_, &sub_, &dealer_}) {
    if (*s != nullptr) {
      zmq_close(*s);
      *s = nullptr;
    }
  }
  if (context_ != nullptr) {
    zmq_ctx_term(context_);  // waits up to the linger time for queued packets
    context_ = nullptr;
  }
  // libzmq leaves the socket files of ipc binds behind; Condure removes them.
  for (const auto& path : bound_ipc_paths_) ::unlink(path.c_str());
  bound_ipc_paths_.clear();
}

void ZmqBridge::run() {
  constexpr int kQuietSockets = 2;
  void* const quiet_sockets[kQuietSockets] = {push_, router_};  // zedge only writes to these
  const int quiet_fds[kQuietSockets] = {mailbox_fd(push_), mailbox_fd(router_)};
  for (;;) {
    const bool stopping = stopping_.load();
    if (push_pending_.size() < kSendPendingMax || stopping) drain_workers();
    flush_push_pending();
    flush_router_pending();
    if (stopping) break;

    zmq_pollitem_t items[8];
    int count = 0;
    items[count++] = {nullptr, wake_fd_, ZMQ_POLLIN, 0};
    if (push_monitor_ != nullptr) items[count++] = {push_monitor_, 0, ZMQ_POLLIN, 0};
    const bool reading = !workers_backlogged();
    if (sub_ != nullptr && reading) items[count++] = {sub_, 0, ZMQ_POLLIN, 0};
    if (dealer_ != nullptr && reading) {
      items[count++] = {dealer_, 0, static_cast<short>(ZMQ_POLLIN | (req_pending_.empty() ? 0 : ZMQ_POLLOUT)), 0};
    }
    if (push_ != nullptr && !push_pending_.empty()) items[count++] = {push_, 0, ZMQ_POLLOUT, 0};
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
    if (push_monitor_ != nullptr && (items[1].revents & ZMQ_POLLIN)) receive_push_events();
    for (int i = 0; i < kQuietSockets; ++i) {
      if (items[first_mailbox + i].revents & ZMQ_POLLIN) handle_commands(quiet_sockets[i]);
    }
    if (!discovered_.empty()) apply_discovery();
    if (sub_ != nullptr) receive_sub();
    if (dealer_ != nullptr) receive_req();
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
        case ToBridge::Route::StreamReply:
          send_router(std::move(message.address), std::move(message.frame));
          break;
        case ToBridge::Route::Req: send_req(std::move(message.frame)); break;
      }
    }
    if (channel->worker_waiting_for_room.exchange(false)) channel->wake_worker();
  }
}

void ZmqBridge::send_push(std::string frame) {
  if (push_ == nullptr) return;
  if (push_pending_.empty() && zmq_send(push_, frame.data(), frame.size(), ZMQ_DONTWAIT) >= 0) {
    return;
  }
  // No handler connected yet, or every handler is at its high-water mark: keep the
  // request (Condure does the same) until PUSH can take it.
  push_pending_.push_back(std::move(frame));
}

void ZmqBridge::flush_push_pending() {
  while (!push_pending_.empty()) {
    const auto& frame = push_pending_.front();
    if (zmq_send(push_, frame.data(), frame.size(), ZMQ_DONTWAIT) < 0) return;
    push_pending_.pop_front();
  }
}

void ZmqBridge::send_router(std::string address, std::string frame) {
  if (router_ == nullptr) return;
  if (router_pending_.empty() && send_parts(router_, {address, "", frame})) return;
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
    if (send_parts(router_, {item.address, "", item.frame})) continue;
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
  if (dealer_ == nullptr) return;
  if (req_pending_.empty() && send_parts(dealer_, {"", frame})) return;
  req_pending_.push_back(std::move(frame));
  std::size_t n = req_pending_.size();
  while (n-- > 0 && send_parts(dealer_, {"", req_pending_.front()})) req_pending_.pop_front();
}

void ZmqBridge::receive_push_events() {
  // Each event is two frames: 6 bytes (uint16 event, uint32 value) and the endpoint.
  for (;;) {
    zmq_msg_t frame;
    zmq_msg_init(&frame);
    if (zmq_msg_recv(&frame, push_monitor_, ZMQ_DONTWAIT) < 0) {
      zmq_msg_close(&frame);
      return;
    }
    std::uint16_t event = 0;
    if (zmq_msg_size(&frame) >= sizeof event) std::memcpy(&event, zmq_msg_data(&frame), sizeof event);
    const bool more = zmq_msg_more(&frame);
    zmq_msg_close(&frame);
    if (more) {
      zmq_msg_t endpoint;
      zmq_msg_init(&endpoint);
      zmq_msg_recv(&endpoint, push_monitor_, 0);
      zmq_msg_close(&endpoint);
    }
    int peers = handler_peers_.load();
    if (event == ZMQ_EVENT_ACCEPTED || event == ZMQ_EVENT_CONNECTED) ++peers;
    if (event == ZMQ_EVENT_DISCONNECTED && peers > 0) --peers;
    handler_peers_.store(peers);
    LOG_DEBUG(kLog, "handlers connected: " << peers);
  }
}

void ZmqBridge::receive_sub() {
  const std::string_view prefix_expected = options_.instance_id;
  for (int i = 0; i < kBatchPerSource && !workers_backlogged(); ++i) {
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    if (zmq_msg_recv(&msg, sub_, ZMQ_DONTWAIT) < 0) {
      zmq_msg_close(&msg);
      break;
    }
    const std::string_view data(static_cast<const char*>(zmq_msg_data(&msg)), zmq_msg_size(&msg));
    // "<instance-id> T..." — the SUB filter matched the prefix already.
    if (data.size() > prefix_expected.size() + 1 && data.substr(0, prefix_expected.size()) == prefix_expected &&
        data[prefix_expected.size()] == ' ') {
      route_to_workers(ToWorker::Source::Stream, data.substr(prefix_expected.size() + 1));
    } else {
      LOG_DEBUG(kLog, "packet not for us dropped");
    }
    zmq_msg_close(&msg);
  }
}

void ZmqBridge::receive_req() {
  if (!req_pending_.empty()) {
    while (!req_pending_.empty() && send_parts(dealer_, {"", req_pending_.front()})) req_pending_.pop_front();
  }
  for (int i = 0; i < kBatchPerSource && !workers_backlogged(); ++i) {
    // DEALER replies arrive as ["", T...]; anything else is a handler bug.
    std::vector<std::string> parts;
    int more = 1;
    bool got = false;
    while (more) {
      zmq_msg_t msg;
      zmq_msg_init(&msg);
      if (zmq_msg_recv(&msg, dealer_, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&msg);
        break;
      }
      got = true;
      parts.emplace_back(static_cast<const char*>(zmq_msg_data(&msg)), zmq_msg_size(&msg));
      more = zmq_msg_more(&msg);
      zmq_msg_close(&msg);
    }
    if (!got) break;
    if (parts.size() != 2 || !parts[0].empty()) {
      LOG_WARN(kLog, "req reply with unexpected envelope of " << parts.size() << " part(s) dropped");
      continue;
    }
    route_to_workers(ToWorker::Source::Req, parts[1]);
  }
}

void ZmqBridge::route_to_workers(ToWorker::Source source, std::string_view frame,
                                 std::string_view unroutable_address) {
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

// ---------------------------------------------------------------- handler discovery

// The host of a tcp base that is a DNS name (not an IP literal), when discovery applies.
std::optional<std::string> ZmqBridge::discovered_host(const std::string& base) const {
  if (!options_.connect || options_.discovery_interval.count() == 0 || base.rfind("tcp://", 0) != 0) {
    return std::nullopt;
  }
  const auto colon = base.rfind(':');
  const std::string host = base.substr(6, colon - 6);
  if (host.empty() || host.front() == '[') return std::nullopt;
  in_addr v4{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1 || host == "*") return std::nullopt;
  return host;
}

void ZmqBridge::on_discovery_answer(std::size_t target, DnsAnswer answer) {
  {
    std::lock_guard lock(discovery_mutex_);
    discovery_inbox_.emplace_back(target, std::move(answer));
  }
  wake();
}

void ZmqBridge::apply_discovery() {
  std::vector<std::pair<std::size_t, DnsAnswer>> answers;
  {
    std::lock_guard lock(discovery_mutex_);
    answers.swap(discovery_inbox_);
  }
  const auto now = std::chrono::steady_clock::now();
  for (auto& [target, answer] : answers) {
    if (target >= discovered_.size()) continue;
    auto& base = discovered_[target];
    if (answer.status == DnsAnswer::Status::Failed) {
      // A lookup that failed says nothing about the handlers: keep what we have.
      ++base.status.lookups_failed;
      base.status.last_error = answer.error;
      LOG_WARN(kLog, "discovery: lookup of " << base.host << " failed: " << answer.error);
      continue;
    }
    ++base.status.lookups_ok;
    base.status.last_success = now;
    base.status.last_error = answer.status == DnsAnswer::Status::NotFound ? answer.error : "";
    apply_endpoint_changes(base, base.endpoints.update(answer.addresses, now));
  }
  for (auto& base : discovered_) apply_endpoint_changes(base, base.endpoints.expire(now));
  if (!answers.empty()) publish_discovery_status();
}

void ZmqBridge::apply_endpoint_changes(DiscoveredBase& base, const DiscoveredEndpoints::Changes& changes) {
  const auto endpoint = [&base](const std::string& address, unsigned offset) {
    const bool v6 = address.find(':') != std::string::npos;
    return "tcp://" + (v6 ? "[" + address + "]" : address) + ":" + std::to_string(base.port + offset);
  };
  for (const auto& a : changes.connect_push) {
    zmq_connect(push_, endpoint(a, 0).c_str());
    LOG_INFO(kLog, "discovery: handler " << a << " of " << base.host << " joined");
  }
  for (const auto& a : changes.connect_others) {
    zmq_connect(router_, endpoint(a, 1).c_str());
    zmq_connect(sub_, endpoint(a, 2).c_str());
  }
  for (const auto& a : changes.disconnect_push) {
    zmq_disconnect(push_, endpoint(a, 0).c_str());
    LOG_INFO(kLog, "discovery: handler " << a << " of " << base.host << " left; no new requests go there");
  }
  for (const auto& a : changes.disconnect_others) {
    zmq_disconnect(router_, endpoint(a, 1).c_str());
    zmq_disconnect(sub_, endpoint(a, 2).c_str());
  }
}

void ZmqBridge::publish_discovery_status() {
  std::vector<DiscoveryStatus> statuses;
  for (auto& base : discovered_) {
    base.status.addresses = base.endpoints.live();
    base.status.leaving = base.endpoints.leaving();
    statuses.push_back(base.status);
  }
  std::lock_guard lock(discovery_status_mutex_);
  discovery_published_ = std::move(statuses);
}

std::vector<DiscoveryStatus> ZmqBridge::discovery_status() const {
  std::lock_guard lock(discovery_status_mutex_);
  return discovery_published_;
}

}  // namespace zedge::bridge
