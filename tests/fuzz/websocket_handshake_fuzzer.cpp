// The WebSocket text a client controls outside frames (pkg/websocket): the upgrade request's
// fields (is_websocket_upgrade, check_upgrade_request), Sec-WebSocket-Extensions offers
// (RFC 7692 negotiation) and close-frame payloads (RFC 6455 §5.5.1).
// Input: a flags byte (bit 0: GET, else POST), then lines split at '\n'; a line is
// "name:value" (a header field) and the last line is also parsed as a close payload.
// Checks: an agreed offer came from well-formed fields, and the 101's extension value, offered
// back, agrees to the same flags; an accepted close payload is rebuilt by make_close_payload.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_input.hpp"
#include "http1/field_text.hpp"
#include "websocket/close_code.hpp"
#include "websocket/deflate_negotiation.hpp"
#include "websocket/handshake.hpp"

namespace {

namespace ws = zedge::websocket;

using zedge::http1::equals_ignore_case;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  zedge::fuzz::FuzzInput in(data, size);
  const std::uint8_t flags = in.byte();
  std::string_view rest = in.rest();
  std::vector<ws::HeaderField> fields;
  std::vector<std::string_view> extension_values;
  std::string_view last_line;
  while (!rest.empty()) {
    const auto newline = rest.find('\n');
    const std::string_view line = rest.substr(0, newline);
    rest.remove_prefix(newline == std::string_view::npos ? rest.size() : newline + 1);
    last_line = line;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    fields.push_back({std::string(line.substr(0, colon)), std::string(line.substr(colon + 1))});
    if (equals_ignore_case(fields.back().name, "Sec-WebSocket-Extensions")) {
      extension_values.push_back(line.substr(colon + 1));  // views the input, not `fields`
    }
  }

  (void)ws::is_websocket_upgrade(fields);
  (void)ws::check_upgrade_request((flags & 1) != 0 ? "GET" : "POST", fields);
  for (const auto& f : fields) {
    if (equals_ignore_case(f.name, "Sec-WebSocket-Key")) FUZZ_CHECK(ws::accept_key(f.value).size() == 28);
  }

  const bool well_formed = ws::extension_fields_well_formed(extension_values);
  if (const auto params = ws::negotiate_permessage_deflate(extension_values)) {
    FUZZ_CHECK(well_formed);
    const std::string answer = ws::deflate_response_value(*params);
    const std::string_view answer_view = answer;
    const auto again = ws::negotiate_permessage_deflate({&answer_view, 1});
    FUZZ_CHECK(again.has_value());
    FUZZ_CHECK(again->client_no_context_takeover == params->client_no_context_takeover);
    FUZZ_CHECK(again->server_no_context_takeover == params->server_no_context_takeover);
  }

  const ws::ClosePayloadResult close = ws::parse_close_payload(last_line);
  if (close.ok()) {
    if (close.payload.code) {
      FUZZ_CHECK(ws::is_valid_peer_close_code(*close.payload.code));
      if (last_line.size() <= 125) {
        FUZZ_CHECK(ws::make_close_payload(*close.payload.code, close.payload.reason) == last_line);
      }
    } else {
      FUZZ_CHECK(last_line.empty());
    }
  } else {
    FUZZ_CHECK(close.error_code == 1002 || close.error_code == 1007);
  }
  return 0;
}
