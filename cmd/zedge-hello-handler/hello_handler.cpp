#include "hello_handler.hpp"

#include <unistd.h>
#include <zmq.h>

#include <cerrno>

namespace zedge::hello {
namespace {

// Wake up at least this often to look at the stop flag (signals also interrupt the poll).
constexpr long kPollTimeoutMs = 1000;
// Messages taken from one socket before polling again, so no socket starves the others.
constexpr int kMessagesPerWakeMax = 256;
// PUB drops when a subscriber's queue is full; a deep queue keeps bursts of responses.
constexpr int kPubSendHighWaterMark = 100000;
constexpr int kLingerMs = 0;
constexpr std::string_view kIpcScheme = "ipc://";

constexpr std::string_view kContentTypeName = "Content-Type";
constexpr std::string_view kContentTypeValue = "text/plain";
constexpr std::int64_t kStatusOk = 200;
constexpr std::string_view kReasonOk = "OK";

bool ends_a_session(zhttp::PacketType type) {
  return type == zhttp::PacketType::Cancel || type == zhttp::PacketType::Error;
}

std::string zmq_error_text(std::string_view what) { return std::string(what) + ": " + zmq_strerror(zmq_errno()); }

void fill_response(zhttp::Packet& p, std::string_view from, std::string_view body) {
  p.from = from;
  p.ids.assign(1, zhttp::IdSeq{});
  p.code = kStatusOk;
  p.reason = kReasonOk;
  p.headers.assign(1, zhttp::Header{kContentTypeName, kContentTypeValue});
  p.body = body;
}

}  // namespace

HelloHandler::HelloHandler(const HandlerOptions& options) : options_(options), ws_echo_(options_.id, *this) {
  // The views point into options_, which lives as long as the handler.
  fill_response(stream_response_, options_.id, options_.body);
  fill_response(req_response_, {}, options_.body);
}

HelloHandler::~HelloHandler() {
  for (void* socket : {pull_, stream_router_, pub_, req_router_}) {
    if (socket != nullptr) zmq_close(socket);
  }
  if (context_ != nullptr) zmq_ctx_term(context_);
  for (const std::string& path : bound_ipc_paths_) unlink(path.c_str());
}

void* HelloHandler::open_socket(int type, std::string& error) {
  void* socket = zmq_socket(context_, type);
  if (socket == nullptr) {
    error = zmq_error_text("zmq_socket");
    return nullptr;
  }
  zmq_setsockopt(socket, ZMQ_LINGER, &kLingerMs, sizeof kLingerMs);
  return socket;
}

bool HelloHandler::attach(void* socket, const std::string& endpoint, std::string& error) {
  const int rc = options_.bind ? zmq_bind(socket, endpoint.c_str()) : zmq_connect(socket, endpoint.c_str());
  if (rc != 0) {
    error = zmq_error_text((options_.bind ? "bind " : "connect ") + endpoint);
    return false;
  }
  if (options_.bind && endpoint.rfind(kIpcScheme, 0) == 0) {
    bound_ipc_paths_.push_back(endpoint.substr(kIpcScheme.size()));
  }
  return true;
}

bool HelloHandler::open(std::string& error) {
  context_ = zmq_ctx_new();
  if (context_ == nullptr) {
    error = zmq_error_text("zmq_ctx_new");
    return false;
  }
  pull_ = open_socket(ZMQ_PULL, error);
  stream_router_ = open_socket(ZMQ_ROUTER, error);
  pub_ = open_socket(ZMQ_PUB, error);
  if (pull_ == nullptr || stream_router_ == nullptr || pub_ == nullptr) return false;

  // zedge routes every later packet of a session to the identity equal to our "from".
  zmq_setsockopt(stream_router_, ZMQ_ROUTING_ID, options_.id.data(), options_.id.size());
  zmq_setsockopt(pub_, ZMQ_SNDHWM, &kPubSendHighWaterMark, sizeof kPubSendHighWaterMark);

  for (const std::string& base : options_.stream_bases) {
    const std::optional<StreamEndpoints> endpoints = stream_endpoints(base, error);
    if (!endpoints || !attach(pull_, endpoints->out, error) || !attach(stream_router_, endpoints->out_stream, error) ||
        !attach(pub_, endpoints->in, error)) {
      return false;
    }
  }
  if (!options_.req_specs.empty()) {
    req_router_ = open_socket(ZMQ_ROUTER, error);
    if (req_router_ == nullptr) return false;
    for (const std::string& spec : options_.req_specs) {
      if (!attach(req_router_, spec, error)) return false;
    }
  }
  return true;
}

bool HelloHandler::run(const volatile std::sig_atomic_t& stop, std::string& error) {
  zmq_pollitem_t items[] = {
      {pull_, 0, ZMQ_POLLIN, 0},
      {stream_router_, 0, ZMQ_POLLIN, 0},
      {req_router_, 0, ZMQ_POLLIN, 0},
  };
  const int item_count = req_router_ != nullptr ? 3 : 2;
  while (stop == 0) {
    if (zmq_poll(items, item_count, kPollTimeoutMs) < 0) {
      if (zmq_errno() == EINTR) continue;
      error = zmq_error_text("zmq_poll");
      return false;
    }
    if (items[0].revents & ZMQ_POLLIN) drain_pull();
    if (items[1].revents & ZMQ_POLLIN) drain_stream_router();
    if (item_count == 3 && (items[2].revents & ZMQ_POLLIN)) drain_req_router();
  }
  return true;
}

// First packet of each stream-mode request: one frame "T...".
void HelloHandler::drain_pull() {
  zmq_msg_t message;
  zmq_msg_init(&message);
  for (int i = 0; i < kMessagesPerWakeMax; ++i) {
    if (zmq_msg_recv(&message, pull_, ZMQ_DONTWAIT) < 0) break;
    const std::string_view frame(static_cast<const char*>(zmq_msg_data(&message)), zmq_msg_size(&message));
    if (zhttp::parse(frame, request_) != zhttp::ParseError::None) {
      ++counters_.malformed;
    } else if (request_.type != zhttp::PacketType::Data || request_.ids.size() != 1) {
      ++counters_.ignored;
    } else if (WsEcho::is_websocket(request_)) {
      ws_echo_.accept(request_);
    } else {
      answer_stream(request_);
    }
  }
  zmq_msg_close(&message);
}

// Answers in one packet, seq 0. When the request has `more` (a body follows) the answer
// is the same: the client gets its response and zedge discards or closes the rest.
void HelloHandler::answer_stream(const zhttp::Packet& request) {
  stream_response_.ids.front() = zhttp::IdSeq{request.id(), 0};
  out_.clear();
  out_.append(options_.instance);
  out_.push_back(' ');
  zhttp::encode(stream_response_, out_);
  if (zmq_send(pub_, out_.data(), out_.size(), ZMQ_DONTWAIT) < 0) {
    ++counters_.send_failed;
    return;
  }
  ++counters_.stream_answered;
}

// [server identity, "", T...]. After an HTTP request's one-packet answer zedge sends
// nothing more here but a cancel (its client left before the answer); with no WebSocket
// open, a cancel or error is skipped after a scan of its first keys, unparsed, so the
// HTTP path costs what it did before. Anything else goes to ws_echo_, which also cancels
// the sessions it does not know (lost in a restart).
void HelloHandler::drain_stream_router() {
  zmq_msg_t frame;
  zmq_msg_init(&frame);
  for (int i = 0; i < kMessagesPerWakeMax; ++i) {
    if (zmq_msg_recv(&frame, stream_router_, ZMQ_DONTWAIT) < 0) break;
    while (zmq_msg_more(&frame) != 0) zmq_msg_recv(&frame, stream_router_, 0);
    const std::string_view packet(static_cast<const char*>(zmq_msg_data(&frame)), zmq_msg_size(&frame));
    if (ws_echo_.empty() && ends_a_session(zhttp::scan_type(packet))) {
      ++counters_.ignored;
      continue;
    }
    if (zhttp::parse(packet, request_) != zhttp::ParseError::None) {
      ++counters_.malformed;
      continue;
    }
    ws_echo_.on_packet(request_);
  }
  zmq_msg_close(&frame);
}

void HelloHandler::publish(std::string_view to, const zhttp::Packet& packet) {
  out_.clear();
  out_.append(to);
  out_.push_back(' ');
  zhttp::encode(packet, out_);
  if (zmq_send(pub_, out_.data(), out_.size(), ZMQ_DONTWAIT) < 0) ++counters_.send_failed;
}

// Req mode: [routing frames..., "", T...] in, the same envelope with the response out.
void HelloHandler::drain_req_router() {
  zmq_msg_t frame;
  zmq_msg_init(&frame);
  for (int i = 0; i < kMessagesPerWakeMax; ++i) {
    if (zmq_msg_recv(&frame, req_router_, ZMQ_DONTWAIT) < 0) break;
    std::size_t envelope_size = 0;
    while (zmq_msg_more(&frame) != 0) {
      if (envelope_size == envelope_.size()) envelope_.emplace_back();
      envelope_[envelope_size++].assign(static_cast<const char*>(zmq_msg_data(&frame)), zmq_msg_size(&frame));
      zmq_msg_recv(&frame, req_router_, 0);
    }
    const std::string_view packet(static_cast<const char*>(zmq_msg_data(&frame)), zmq_msg_size(&frame));
    if (envelope_size == 0) {
      ++counters_.malformed;  // no return address
      continue;
    }
    if (zhttp::parse(packet, request_) != zhttp::ParseError::None) {
      ++counters_.malformed;
      continue;
    }
    if (request_.type != zhttp::PacketType::Data || request_.ids.size() != 1) {
      ++counters_.ignored;
      continue;
    }
    req_response_.ids.front() = zhttp::IdSeq{request_.id(), std::nullopt};
    out_.clear();
    zhttp::encode(req_response_, out_);
    bool sent = true;
    for (std::size_t k = 0; k < envelope_size && sent; ++k) {
      sent = zmq_send(req_router_, envelope_[k].data(), envelope_[k].size(), ZMQ_SNDMORE) >= 0;
    }
    sent = sent && zmq_send(req_router_, out_.data(), out_.size(), ZMQ_DONTWAIT) >= 0;
    ++(sent ? counters_.req_answered : counters_.send_failed);
  }
  zmq_msg_close(&frame);
}

}  // namespace zedge::hello
