#include "session/websocket_upgrade.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include "http1/field_text.hpp"
#include "http1/response_writer.hpp"
#include "websocket/handshake.hpp"

namespace zedge::session {
namespace {

// Fields zedge writes itself (Condure drops the first four from the handler's list; a
// body framing field would contradict the 101 or the length zedge writes).
bool written_by_zedge(std::string_view name) {
  static constexpr std::array<std::string_view, 6> kNames = {
      "Upgrade",        "Connection",       "Sec-WebSocket-Accept", "Sec-WebSocket-Extensions",
      "Content-Length", "Transfer-Encoding"};
  return std::any_of(kNames.begin(), kNames.end(),
                     [&](std::string_view n) { return http1::equals_ignore_case(n, name); });
}

void write_status_line(const zhttp::Packet& p, int default_code, std::string& out) {
  const int code = p.code ? static_cast<int>(*p.code) : default_code;
  out += "HTTP/1.1 ";
  out += std::to_string(code);
  out += ' ';
  out += p.reason.empty() ? http1::reason_phrase(code) : p.reason;
  out += "\r\n";
}

void write_handler_headers(const zhttp::Packet& p, std::string& out) {
  for (const auto& h : p.headers) {
    if (written_by_zedge(h.name)) continue;
    out.append(h.name).append(": ").append(h.value).append("\r\n");
  }
}

}  // namespace

std::optional<std::string> check_websocket_upgrade(const http1::RequestHead& head) {
  if (head.version_minor != 1) return "WebSocket upgrade requires HTTP/1.1";
  return websocket::check_upgrade_request(head.method, head.headers);
}

std::vector<std::string_view> websocket_extension_offers(const http1::RequestHead& head) {
  std::vector<std::string_view> offers;
  for (const auto& h : head.headers) {
    if (http1::equals_ignore_case(h.name, "Sec-WebSocket-Extensions")) offers.push_back(h.value);
  }
  return offers;
}

void write_switching_protocols(const zhttp::Packet& accept, const http1::RequestHead& head, std::string_view extensions,
                               std::string& out) {
  const auto* key = head.find("Sec-WebSocket-Key");
  write_status_line(accept, 101, out);
  write_handler_headers(accept, out);
  out += "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ";
  out += websocket::accept_key(key != nullptr ? std::string_view(key->value) : std::string_view());
  out += "\r\n";
  if (!extensions.empty()) out.append("Sec-WebSocket-Extensions: ").append(extensions).append("\r\n");
  out += "\r\n";
}

void write_upgrade_refusal(const zhttp::Packet& answer, std::string& out) {
  write_status_line(answer, 200, out);
  write_handler_headers(answer, out);
  out += "Content-Length: ";
  out += std::to_string(answer.body.size());
  out += "\r\n\r\n";
  out.append(answer.body);
}

}  // namespace zedge::session
