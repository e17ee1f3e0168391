#include "http1/head_rules.hpp"

#include <cstddef>
#include <string_view>
#include <vector>

#include "http1/field_text.hpp"

namespace zedge::http1 {
namespace {

RequestError bad_request(std::string message) { return RequestError{400, std::move(message)}; }

std::vector<std::string_view> values_of(const RequestHead& head, std::string_view name) {
  std::vector<std::string_view> values;
  for (const auto& field : head.headers) {
    if (equals_ignore_case(field.name, name)) values.push_back(field.value);
  }
  return values;
}

// RFC 9112 §3.2: exactly one Host in HTTP/1.1, never more than one.
std::optional<RequestError> check_host(const RequestHead& head) {
  const auto hosts = values_of(head, "Host");
  if (hosts.size() > 1) return bad_request("more than one Host header");
  if (hosts.empty() && head.version_minor == 1) return bad_request("HTTP/1.1 request without Host header");
  return std::nullopt;
}

// RFC 9112 §6.1 and §6.3: the only transfer coding zedge decodes is chunked, which must be
// the final coding, applied once, without parameters. Malformed lists are 400; codings
// zedge does not implement are 501.
std::optional<RequestError> check_transfer_codings(const std::vector<std::string_view>& values) {
  struct Coding {
    std::string_view name;
    bool has_parameters;
  };
  std::vector<Coding> codings;
  bool malformed = false;
  for (const auto value : values) {
    for_each_list_element(value, [&](std::string_view element) {
      const std::size_t semicolon = element.find(';');
      const std::string_view name = trim_ows(element.substr(0, semicolon));
      if (!is_token(name)) malformed = true;
      codings.push_back({name, semicolon != std::string_view::npos});
    });
  }
  if (malformed) return bad_request("malformed Transfer-Encoding");
  if (codings.empty()) return bad_request("empty Transfer-Encoding");
  std::size_t chunked_count = 0;
  bool unknown = false;
  for (const auto& coding : codings) {
    if (!equals_ignore_case(coding.name, "chunked")) {
      unknown = true;
    } else if (coding.has_parameters) {
      return bad_request("chunked takes no parameters");
    } else {
      ++chunked_count;
    }
  }
  if (chunked_count > 1) return bad_request("chunked applied more than once");
  if (chunked_count == 1 && !equals_ignore_case(codings.back().name, "chunked")) {
    return bad_request("chunked is not the final transfer coding");
  }
  if (unknown) return RequestError{501, "unsupported transfer coding"};
  return std::nullopt;
}

// RFC 9112 §9.3: HTTP/1.1 persists unless "close"; HTTP/1.0 only with "keep-alive".
bool wants_keep_alive(const RequestHead& head) {
  bool close = false;
  bool keep_alive = false;
  for (const auto value : values_of(head, "Connection")) {
    close = close || list_contains(value, "close");
    keep_alive = keep_alive || list_contains(value, "keep-alive");
  }
  if (close) return false;
  return head.version_minor == 1 || keep_alive;
}

}  // namespace

std::optional<RequestError> apply_head_rules(RequestHead& head) {
  if (auto error = check_host(head)) return error;

  const auto transfer_encodings = values_of(head, "Transfer-Encoding");
  const auto content_lengths = values_of(head, "Content-Length");
  if (!transfer_encodings.empty() && !content_lengths.empty()) {
    // RFC 9112 §6.3 lets a server reject this outright; it is the classic CL.TE lever.
    return bad_request("both Content-Length and Transfer-Encoding");
  }

  head.keep_alive = wants_keep_alive(head);
  head.body_kind = BodyKind::None;
  head.content_length = 0;
  if (!transfer_encodings.empty()) {
    if (auto error = check_transfer_codings(transfer_encodings)) return error;
    head.body_kind = BodyKind::Chunked;
    // RFC 9112 §6.1: HTTP/1.0 with Transfer-Encoding means faulty framing somewhere on the
    // path; process it, then close.
    if (head.version_minor == 0) head.keep_alive = false;
  } else if (!content_lengths.empty()) {
    if (content_lengths.size() > 1) return bad_request("more than one Content-Length");
    const auto length = parse_decimal_length(content_lengths.front());
    if (!length) return bad_request("invalid Content-Length");
    head.body_kind = BodyKind::ContentLength;
    head.content_length = *length;
  }

  const bool has_body =
      head.body_kind == BodyKind::Chunked || (head.body_kind == BodyKind::ContentLength && head.content_length > 0);
  head.expect_continue = false;
  if (head.version_minor == 1 && has_body) {
    // RFC 9110 §10.1.1: only HTTP/1.1 clients wait for 100 (Continue).
    for (const auto value : values_of(head, "Expect")) {
      if (equals_ignore_case(trim_ows(value), "100-continue")) head.expect_continue = true;
    }
  }

  head.websocket_upgrade = false;
  for (const auto value : values_of(head, "Upgrade")) {
    if (equals_ignore_case(trim_ows(value), "websocket")) head.websocket_upgrade = true;
  }
  return std::nullopt;
}

}  // namespace zedge::http1
