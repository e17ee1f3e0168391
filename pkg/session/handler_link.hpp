// The handler's side of one ZHTTP session, the same in the HTTP and the WebSocket phase:
// the session's id, the reply address (which follows the latest `from`, so a session can
// move between handlers), seq both ways, credits both ways, the handoff pause, and the rule
// for which endings the handler hears of. See api/zhttp.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "session/session_types.hpp"
#include "zhttp/packet.hpp"

namespace zedge::session {

// Handoff (api/zhttp.md, "Handoff"): handoff-start asks zedge to finish writing; once the
// output is out zedge answers handoff-proceed and sends nothing until the next packet
// arrives, from whichever handler now owns the session.
enum class Handoff : std::uint8_t {
  None,
  Pending,  // handoff-start received: proceed once the output has drained
  Paused,   // handoff-proceed sent: quiet until the next packet
};

// Plain data: everything the link knows, so it can be copied, written out and restored.
struct HandlerLinkState {
  std::string id;                    // the session's ZHTTP id
  std::string address;               // reply address: the latest `from`; empty until one came
  std::int64_t out_seq = 0;          // next seq zedge sends
  std::int64_t in_seq = 0;           // next seq expected from the handler
  std::int64_t send_credits = 0;     // client bytes the handler will take
  std::int64_t receive_credits = 0;  // bytes the handler may still send us
  std::int64_t credits_owed = 0;     // handler bytes written to the client, not yet credited
  Handoff handoff = Handoff::None;
};

class HandlerLink {
 public:
  // `log_component` names the phase in log lines.
  HandlerLink(const SessionSettings& settings, PacketSink& sink, const char* log_component,
              HandlerLinkState state = {});

  HandlerLinkState& state() { return state_; }
  const HandlerLinkState& state() const { return state_; }
  const std::string& id() const { return state_.id; }
  std::string_view address() const { return state_.address; }
  // The handler has spoken, so packets can be addressed to it.
  bool known() const { return !state_.address.empty(); }

  // A fresh link for the next request on a kept-alive connection; the strings keep their
  // heap buffers (emptied) so the next request does not allocate them again.
  void reset();

  // A packet from the handler: follows its `from` and checks its seq. False when the seq is
  // wrong (logged); the session then ends with a protocol error.
  bool accept(const zhttp::Packet& packet, const zhttp::IdSeq& addressed);
  // Any packet from the handler ends a handoff pause; true if it did.
  bool resume();

  // ---- sending to the handler (ROUTER, addressed to the reply address)
  std::int64_t next_seq() { return state_.out_seq++; }
  void send(std::string frame);
  void send_cancel();
  // Grants the handler `credits` more bytes toward the client.
  void send_credits(std::int64_t credits);
  // Handler bytes reached the client: the credits are owed until return_owed_credits().
  void owe_credits(std::int64_t credits) { state_.credits_owed += credits; }
  // Sends what is owed (none while paused: it goes to the next owner after the handoff).
  void return_owed_credits();

  // ---- handoff
  void start_handoff() { state_.handoff = Handoff::Pending; }
  bool handoff_pending() const { return state_.handoff == Handoff::Pending; }
  bool paused() const { return state_.handoff == Handoff::Paused; }
  // The output drained after handoff-start: answer handoff-proceed and go quiet.
  void proceed_handoff();

  // Whether a session ending for `reason` is told to its handler with `cancel`: a client
  // that left or went quiet, the handler's own credit overrun, a drain or a shutdown; not a
  // handler timeout, a bad seq or the handler's own cancel (checked against condure 1.9.1).
  static bool handler_hears_cancel(CloseReason reason);

 private:
  const SessionSettings& settings_;
  PacketSink& sink_;
  const char* log_component_;
  HandlerLinkState state_;
};

}  // namespace zedge::session
