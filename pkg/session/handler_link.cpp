#include "session/handler_link.hpp"

#include "log/log.hpp"
#include "session/request_packet.hpp"

namespace zedge::session {

HandlerLink::HandlerLink(const SessionSettings& settings, PacketSink& sink, const char* log_component,
                         HandlerLinkState state)
    : settings_(settings), sink_(sink), log_component_(log_component), state_(std::move(state)) {}

void HandlerLink::reset() {
  HandlerLinkState next;
  next.id.swap(state_.id);
  next.address.swap(state_.address);
  next.id.clear();
  next.address.clear();
  state_ = std::move(next);
}

bool HandlerLink::accept(const zhttp::Packet& packet, const zhttp::IdSeq& addressed) {
  if (!packet.from.empty()) state_.address.assign(packet.from);
  if (!addressed.seq) return true;
  if (*addressed.seq != state_.in_seq) {
    LOG_WARN(log_component_,
             state_.id << " bad seq from handler: got " << *addressed.seq << ", expected " << state_.in_seq);
    return false;
  }
  ++state_.in_seq;
  return true;
}

bool HandlerLink::resume() {
  const bool was_paused = paused();
  if (was_paused) state_.handoff = Handoff::None;
  return was_paused;
}

void HandlerLink::send(std::string frame) { sink_.send_packet(Route::StreamReply, state_.address, std::move(frame)); }

void HandlerLink::send_cancel() {
  send(control_frame(settings_.instance_id, state_.id, next_seq(), zhttp::PacketType::Cancel));
}

void HandlerLink::send_credits(std::int64_t credits) {
  state_.receive_credits += credits;
  send(credit_frame(settings_.instance_id, state_.id, next_seq(), credits));
}

void HandlerLink::return_owed_credits() {
  if (paused() || state_.credits_owed <= 0) return;
  send_credits(state_.credits_owed);
  state_.credits_owed = 0;
}

void HandlerLink::proceed_handoff() {
  state_.handoff = Handoff::Paused;
  send(control_frame(settings_.instance_id, state_.id, next_seq(), zhttp::PacketType::HandoffProceed));
}

bool HandlerLink::handler_hears_cancel(CloseReason reason) {
  switch (reason) {
    case CloseReason::ClientGone:
    case CloseReason::ClientTimeout:
    case CloseReason::CreditOverrun:
    case CloseReason::Drained:
    case CloseReason::Shutdown: return true;
    default: return false;
  }
}

}  // namespace zedge::session
