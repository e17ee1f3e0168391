// ZHTTP packets (pkg/zhttp): parse() of "T" (tnetstring) and "J" (JSON) frames, and the
// bridge's cheap scans. Checks: the ids scan_ids() routes by are the ids parse() reads, and a
// parsed packet survives encode() -> parse() unchanged.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_input.hpp"
#include "zhttp/packet.hpp"

namespace {

using zedge::zhttp::Packet;
using zedge::zhttp::ParseError;

void check_same(const Packet& a, const Packet& b) {
  FUZZ_CHECK(a.from == b.from);
  FUZZ_CHECK(a.ids == b.ids);
  FUZZ_CHECK(a.type == b.type);
  FUZZ_CHECK(a.condition == b.condition);
  FUZZ_CHECK(a.ext_multi == b.ext_multi);
  FUZZ_CHECK(a.method == b.method);
  FUZZ_CHECK(a.uri == b.uri);
  FUZZ_CHECK(a.headers == b.headers);
  FUZZ_CHECK(a.body == b.body);
  FUZZ_CHECK(a.more == b.more);
  FUZZ_CHECK(a.stream == b.stream);
  FUZZ_CHECK(a.credits == b.credits);
  FUZZ_CHECK(a.code == b.code);
  FUZZ_CHECK(a.reason == b.reason);
  FUZZ_CHECK(a.content_type == b.content_type);
  FUZZ_CHECK(a.peer_address == b.peer_address);
  FUZZ_CHECK(a.peer_port == b.peer_port);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view frame(reinterpret_cast<const char*>(data), size);

  // Never crash, whatever the frame (the bridge calls these before any parse).
  std::vector<std::string_view> scanned;
  std::deque<std::string> scan_storage;
  const bool scan_ok = zedge::zhttp::scan_ids(frame, scanned, scan_storage);
  (void)zedge::zhttp::scan_type(frame);

  Packet packet;
  if (zedge::zhttp::parse(frame, packet) != ParseError::None) return 0;
  FUZZ_CHECK(!packet.ids.empty());

  // The bridge routes a packet to the worker owning the ids scan_ids() finds; that worker
  // then acts on the ids parse() reads. They must be the same ids.
  FUZZ_CHECK(scan_ok);
  FUZZ_CHECK(scanned.size() == packet.ids.size());
  for (std::size_t i = 0; i < scanned.size(); ++i) FUZZ_CHECK(scanned[i] == packet.ids[i].id);

  const std::string encoded = zedge::zhttp::encode(packet);
  FUZZ_CHECK(zedge::zhttp::scan_type(encoded) == packet.type);
  Packet again;
  FUZZ_CHECK(zedge::zhttp::parse(encoded, again) == ParseError::None);
  check_same(packet, again);
  // encode() is deterministic: a second round gives the same bytes.
  FUZZ_CHECK(zedge::zhttp::encode(again) == encoded);
  return 0;
}
