// The connection state machine (pkg/session: HttpSession, then WebSocketSession), driven the way pkg/server's
// HttpConnection drives it, by a script the fuzzer writes: client bytes, handler packets
// (well-formed ones addressed to the session, with right or wrong seqs, or raw frames), write
// completions, clock ticks, handler presence, drain and shutdown. Checks: no crash, no
// sanitizer report, consumed bytes within what was offered, and a closed session is left
// alone (the server drops it).
//
// Script: byte 0 = settings flags, then ops; an op is one byte (low 4 bits: what) followed by
// its operands.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "fuzz_input.hpp"
#include "session/http_session.hpp"
#include "zhttp/packet.hpp"

namespace {

using namespace std::chrono_literals;
using zedge::fuzz::FuzzInput;
using zedge::session::Clock;
using zedge::session::HttpSession;
using zedge::session::PacketSink;
using zedge::session::Route;
using zedge::session::SessionSettings;
using zedge::zhttp::Packet;
using zedge::zhttp::PacketType;

class CountingSink : public PacketSink {
 public:
  void send_packet(Route, std::string_view, std::string frame) override {
    // What the bridge sends on must be a packet handlers can parse.
    Packet p;
    FUZZ_CHECK(zedge::zhttp::parse(frame, p) == zedge::zhttp::ParseError::None);
    ++packets;
  }
  std::size_t packets = 0;
};

constexpr PacketType kTypes[] = {
    PacketType::Data,         PacketType::Error,          PacketType::Credit, PacketType::KeepAlive, PacketType::Cancel,
    PacketType::HandoffStart, PacketType::HandoffProceed, PacketType::Close,  PacketType::Ping,      PacketType::Pong,
};

constexpr std::string_view kHeaderNames[] = {
    "Content-Type", "Content-Length", "Transfer-Encoding", "Connection", "Sec-WebSocket-Accept", "Upgrade", "X-A"};

class Driver {
 public:
  explicit Driver(const SessionSettings& settings)
      : session_(std::make_unique<HttpSession>(
            settings, zedge::session::PeerInfo{"127.0.0.1", 40000}, sink_,
            [this] { return "0-0-" + std::to_string(ids_++); }, now_)) {}

  void run(FuzzInput& in) {
    while (!in.empty() && !session_->closed()) step(in);
  }

 private:
  void step(FuzzInput& in) {
    const std::uint8_t op = in.byte();
    switch (op & 0x0FU) {
      case 0:
      case 1:  // client bytes
        if (!client_eof_) input_ += in.take(in.byte());
        break;
      case 2:
      case 3:  // a handler packet, encoded and parsed as the bridge would
        handler_packet(in, op);
        return;
      case 4:  // a raw frame from a handler
        raw_frame(in.take(in.u16() % 512));
        return;
      case 5:  // the pending write completes
        if (writing_) {
          writing_ = false;
          session_->on_written(ticket_, now_);
        }
        break;
      case 6:  // time passes: a server tick
        now_ += std::chrono::milliseconds(std::uint64_t{in.byte()} * 500);
        if ((op & 0x10U) != 0) now_ += 30s;
        if ((op & 0x20U) != 0) session_->release_idle_memory();
        if ((op & 0x40U) != 0 && input_.empty() && !writing_) session_->close_if_idle();
        session_->on_handlers_available(handlers_, now_);
        session_->on_tick(now_);
        break;
      case 7:
        handlers_ = !handlers_;
        session_->on_handlers_available(handlers_, now_);
        break;
      case 8:  // client closes or resets
        client_eof_ = true;
        session_->on_client_closed();
        break;
      case 9: session_->set_draining((op & 0x10U) != 0); break;
      case 10: session_->go_away(); break;
      case 11:
        if ((op & 0xF0U) == 0xF0U) {
          session_->shutdown();
          FUZZ_CHECK(session_->closed());
        }
        break;
      default: break;
    }
    after_event();
  }

  // What HttpConnection::after_event does: offer unconsumed input, start a write.
  void after_event() {
    if (!input_.empty()) {
      session_->on_handlers_available(handlers_, now_);
      const std::size_t used = session_->on_client_bytes(input_, now_);
      FUZZ_CHECK(used <= input_.size());
      input_.erase(0, used);
    }
    // One write at a time; its ticket is the body bytes it carries (credits to return).
    if (!writing_ && session_->has_output()) {
      std::string out;
      ticket_ = session_->take_output(out);
      FUZZ_CHECK(!out.empty());
      writing_ = true;
    }
  }

  void handler_packet(FuzzInput& in, std::uint8_t op) {
    const std::string id = session_->request_id();
    if (id.empty()) return;
    const std::uint8_t shape = in.byte();
    Packet p;
    p.from = "handler";
    p.type = kTypes[(shape & 0x0FU) % std::size(kTypes)];
    p.ids.push_back({id, std::nullopt});
    // Right seq unless the op asks for a wrong one.
    const std::int64_t seq = (op & 0x10U) != 0 ? in.byte() : seqs_[id];
    p.ids.front().seq = seq;
    if ((op & 0x20U) != 0) p.code = (op & 0x40U) != 0 ? 101 : 100 + in.byte() * 2;
    if ((shape & 0x10U) != 0) p.more = true;
    if ((shape & 0x20U) != 0) p.credits = in.u16();
    if ((shape & 0x40U) != 0) p.reason = "OK";
    if ((shape & 0x80U) != 0) p.content_type = (op & 0x80U) != 0 ? "binary" : "text";
    const std::uint8_t headers = in.byte() % 4;
    std::string storage[8];
    for (std::uint8_t i = 0; i < headers; ++i) {
      const std::uint8_t h = in.byte();
      storage[i] = std::string(in.take(h >> 4));
      p.headers.push_back({kHeaderNames[(h & 0x0FU) % std::size(kHeaderNames)], storage[i]});
    }
    const std::string body(in.take(in.byte()));
    p.body = body;
    if (p.type == PacketType::Error) p.condition = "bad-request";
    const std::string frame = zedge::zhttp::encode(p);
    seqs_[id] = seq + 1;
    deliver(frame);
  }

  void raw_frame(std::string_view frame) { deliver(frame); }

  void deliver(std::string_view frame) {
    Packet parsed;
    if (zedge::zhttp::parse(frame, parsed) != zedge::zhttp::ParseError::None) return;
    // The worker hands a packet to the session whose id it names.
    for (const auto& addressed : parsed.ids) {
      if (addressed.id != session_->request_id() || session_->closed()) continue;
      session_->on_handler_packet(parsed, addressed, now_);
      zedge::session::adopt_next_phase(session_);
    }
    after_event();
  }

  CountingSink sink_;
  Clock::time_point now_ = Clock::time_point{} + 1h;
  std::size_t ids_ = 0;
  std::unique_ptr<zedge::session::SessionPhase> session_;
  std::string input_;
  std::size_t ticket_ = 0;
  bool writing_ = false;
  bool client_eof_ = false;
  bool handlers_ = true;
  std::unordered_map<std::string, std::int64_t> seqs_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzInput in(data, size);
  const std::uint8_t flags = in.byte();
  SessionSettings settings;
  settings.mode = (flags & 1) != 0 ? zedge::session::Mode::Req : zedge::session::Mode::Stream;
  settings.compression = (flags & 2) != 0;
  if ((flags & 4) != 0) {
    // Small buffers and limits, reached by fuzzer-sized inputs.
    settings.buffer_size_bytes = 64;
    settings.body_buffer_size_bytes = 32;
    settings.messages_max = 2;
    settings.websocket_message_max_bytes = 100;
  }
  Driver driver(settings);
  driver.run(in);
  return 0;
}
