// Turns what sessions and connections report into a worker's metrics counters (the
// worker's thread is their only writer, so counting costs a plain add).
#pragma once

#include "metrics/worker_metrics.hpp"
#include "session/session_types.hpp"
#include "zhttp/packet.hpp"

namespace zedge::server {

class WorkerEvents : public session::SessionEvents {
 public:
  explicit WorkerEvents(metrics::WorkerMetrics& metrics) : metrics_(metrics) {}

  void request_done(int status, session::Clock::duration elapsed) override {
    metrics_.request_finished(status, std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed));
  }
  void websocket_message(bool from_client) override {
    metrics_.ws_message(from_client ? metrics::MessageDirection::FromClient : metrics::MessageDirection::ToClient);
  }
  void credit_stall() override { metrics_.credit_stall(); }

 private:
  metrics::WorkerMetrics& metrics_;
};

// The metrics label of a packet type (same order, checked here) and of a close reason.
inline metrics::PacketKind packet_kind(zhttp::PacketType type) {
  static_assert(static_cast<int>(zhttp::PacketType::Pong) == static_cast<int>(metrics::PacketKind::Pong));
  return static_cast<metrics::PacketKind>(type);
}

inline metrics::CloseKind close_kind(session::CloseReason reason) {
  switch (reason) {
    case session::CloseReason::None:
    case session::CloseReason::Done: return metrics::CloseKind::Done;
    case session::CloseReason::ClientGone: return metrics::CloseKind::ClientGone;
    case session::CloseReason::HandlerEnded: return metrics::CloseKind::HandlerEnded;
    case session::CloseReason::ProtocolError: return metrics::CloseKind::ProtocolError;
    case session::CloseReason::CreditOverrun: return metrics::CloseKind::CreditOverrun;
    case session::CloseReason::ClientError: return metrics::CloseKind::ClientError;
    case session::CloseReason::SessionTimeout: return metrics::CloseKind::SessionTimeout;
    case session::CloseReason::ClientTimeout: return metrics::CloseKind::ClientTimeout;
    case session::CloseReason::Shutdown: return metrics::CloseKind::Shutdown;
    case session::CloseReason::Rejected: return metrics::CloseKind::Rejected;
    case session::CloseReason::Drained: return metrics::CloseKind::Drained;
    case session::CloseReason::HandlerGone: return metrics::CloseKind::HandlerGone;
  }
  return metrics::CloseKind::Done;
}

}  // namespace zedge::server
