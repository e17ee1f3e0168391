// What the I/O layer sees of a connection's session, whichever phase it is in: HTTP
// requests and responses (HttpSession) or, after an accepted upgrade, WebSocket messages
// (WebSocketSession). Sans-I/O: client bytes, handler packets, completed writes and the
// clock go in; bytes for the client, ZHTTP packets and a close decision come out.
//
// The owner holds the phase and replaces it at the upgrade: after each handler packet it
// calls adopt_next_phase(), so no phase forwards calls to another.
//
// What both phases share lives here once: the handler link (id, reply address, seqs,
// credits, handoff), how the session ends, the drain flag, and the handler packets both
// read the same way.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "session/handler_link.hpp"
#include "session/session_end.hpp"
#include "session/session_types.hpp"
#include "zhttp/packet.hpp"

namespace zedge::session {

class SessionPhase {
 public:
  virtual ~SessionPhase() = default;

  // ---- client side
  // Parses what it can of `input` (bytes received and not yet consumed) and returns how
  // many bytes it consumed; the caller keeps the rest and offers them again later.
  virtual std::size_t on_client_bytes(std::string_view input, Clock::time_point now) = 0;
  // The client closed its side or the connection failed.
  virtual void on_client_closed() = 0;

  // ---- output to the client
  virtual bool has_output() const = 0;
  // Moves pending output into `out` (which must be empty); returns a ticket for on_written.
  virtual std::size_t take_output(std::string& out) = 0;
  // A take_output() batch reached the client.
  virtual void on_written(std::size_t ticket, Clock::time_point now) = 0;

  // ---- handler side
  virtual void on_handler_packet(const zhttp::Packet& packet, const zhttp::IdSeq& addressed, Clock::time_point now) = 0;
  // Whether handlers are connected to the PUSH socket; a request waiting for one goes out
  // when this turns true.
  virtual void on_handlers_available(bool available, Clock::time_point now) = 0;
  // Our packets to this session's handler cannot be delivered (it is gone).
  virtual void on_handler_unreachable() = 0;
  // The handler broke the protocol for this session (e.g. an unknown packet type): close.
  virtual void abort_protocol_error() = 0;
  // The handler accepted a WebSocket upgrade: the phase that now serves the connection,
  // once; nullptr otherwise.
  virtual std::unique_ptr<SessionPhase> take_next_phase() { return nullptr; }

  // ---- time
  virtual Clock::time_point deadline() const = 0;
  virtual void on_tick(Clock::time_point now) = 0;

  // ---- keep-alive batching: sessions whose handler is known
  virtual bool wants_keepalive() const = 0;
  std::string_view handler_address() const { return link_.address(); }
  // Takes the next outgoing seq for a keep-alive sent in a batch.
  std::int64_t take_keepalive_seq() { return link_.next_seq(); }

  // ---- state
  const std::string& request_id() const { return link_.id(); }
  bool closed() const { return end_.closed(); }
  bool close_after_output() const { return end_.after_output(); }
  CloseReason close_reason() const { return end_.reason(); }
  virtual bool is_websocket() const = 0;
  // A request went to the handlers and none has answered yet (its address is unknown).
  virtual bool awaiting_handler() const = 0;
  // Part of the response to the request in flight is out, and not all of it has come
  // from the handler yet.
  virtual bool response_in_progress() const = 0;

  // ---- graceful drain and teardown
  // While draining, responses carry `Connection: close`; set_draining(false) undoes it.
  void set_draining(bool draining) { draining_ = draining; }
  bool draining() const { return draining_; }
  // Between requests with nothing in flight (a WebSocket is never idle).
  virtual bool idle() const = 0;
  // Draining: closes a connection that served a request and has nothing in progress.
  virtual void close_if_idle() = 0;
  // From now on a request that arrives gets 503 with `Connection: close` instead of going
  // to a handler.
  virtual void refuse_requests() = 0;
  // The drain deadline came: the session ends as gently as its phase allows.
  virtual void go_away() = 0;
  // The process stops: close now, telling the handler of an open session.
  virtual void shutdown() = 0;
  // Between requests, with nothing in flight: gives back the memory the last request used,
  // so an idle keep-alive connection costs little.
  virtual void release_idle_memory() = 0;

 protected:
  // `log_component` names the phase in log lines; `link` is what an earlier phase knew.
  SessionPhase(const SessionSettings& settings, PacketSink& sink, const char* log_component, HandlerLinkState link = {})
      : settings_(settings), link_(settings, sink, log_component, std::move(link)) {}

  // Handler packets both phases read the same way: credits for client bytes (on data and
  // credit packets), handoff-start, and cancel or error, which end the session with
  // nothing more written. False when the packet ended the session.
  bool take_common_packet(const zhttp::Packet& packet) {
    if (packet.credits && (packet.type == zhttp::PacketType::Data || packet.type == zhttp::PacketType::Credit)) {
      link_.state().send_credits += *packet.credits;
    }
    switch (packet.type) {
      case zhttp::PacketType::Cancel:
      case zhttp::PacketType::Error:
        if (!end_.closed()) end_.close_now(CloseReason::HandlerEnded);
        return false;
      case zhttp::PacketType::HandoffStart: link_.start_handoff(); return true;
      default: return true;
    }
  }

  const SessionSettings& settings_;
  HandlerLink link_;
  SessionEnd end_;
  bool draining_ = false;
};

// Replaces `phase` with its successor if it has one (after an accepted upgrade).
inline void adopt_next_phase(std::unique_ptr<SessionPhase>& phase) {
  if (auto next = phase->take_next_phase()) phase = std::move(next);
}

}  // namespace zedge::session
