#include "websocket/handshake.hpp"

#include <openssl/evp.h>

#include <array>

#include "http1/field_text.hpp"

namespace zedge::websocket {

using http1::equals_ignore_case;
using http1::list_contains;
using http1::trim_ows;

namespace {

constexpr std::string_view kAcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
constexpr std::size_t kSha1Bytes = 20;
constexpr std::size_t kBase64Sha1Bytes = 28;  // 4 * ceil(20 / 3)

}  // namespace

std::string accept_key(std::string_view key) {
  std::string input;
  input.reserve(key.size() + kAcceptGuid.size());
  input.append(key);
  input.append(kAcceptGuid);
  std::array<unsigned char, kSha1Bytes> digest{};
  unsigned int digest_len = 0;
  if (EVP_Digest(input.data(), input.size(), digest.data(), &digest_len, EVP_sha1(), nullptr) != 1 ||
      digest_len != kSha1Bytes) {
    return {};  // only if the crypto library is broken
  }
  std::array<unsigned char, kBase64Sha1Bytes + 1> encoded{};  // + NUL
  const int n = EVP_EncodeBlock(encoded.data(), digest.data(), static_cast<int>(kSha1Bytes));
  std::string out;
  for (int i = 0; i < n; ++i) out.push_back(static_cast<char>(encoded[static_cast<std::size_t>(i)]));
  return out;
}

bool is_websocket_upgrade(std::span<const HeaderField> headers) {
  for (const HeaderField& h : headers) {
    if (equals_ignore_case(h.name, "upgrade") && list_contains(h.value, "websocket")) return true;
  }
  return false;
}

std::optional<std::string> check_upgrade_request(std::string_view method, std::span<const HeaderField> headers) {
  if (method != "GET") return "WebSocket upgrade requires the GET method";
  if (!is_websocket_upgrade(headers)) return "Upgrade header does not name websocket";
  int keys = 0;
  bool key_empty = false;
  bool version_13 = false;
  bool version_seen = false;
  for (const HeaderField& h : headers) {
    const std::string_view value = trim_ows(h.value);
    if (equals_ignore_case(h.name, "sec-websocket-key")) {
      ++keys;
      key_empty = key_empty || value.empty();
    } else if (equals_ignore_case(h.name, "sec-websocket-version")) {
      // Every Sec-WebSocket-Version field must say 13 (RFC 6455 §4.2.1 item 6).
      version_13 = (version_seen ? version_13 : true) && value == "13";
      version_seen = true;
    } else if (equals_ignore_case(h.name, "transfer-encoding")) {
      return "WebSocket upgrade request must not have a body";
    } else if (equals_ignore_case(h.name, "content-length")) {
      if (value != "0") return "WebSocket upgrade request must not have a body";
    }
  }
  if (keys == 0) return "missing Sec-WebSocket-Key";
  if (keys > 1) return "more than one Sec-WebSocket-Key";
  if (key_empty) return "empty Sec-WebSocket-Key";
  if (!version_seen) return "missing Sec-WebSocket-Version";
  if (!version_13) return "unsupported Sec-WebSocket-Version (only 13)";
  return std::nullopt;
}

}  // namespace zedge::websocket
