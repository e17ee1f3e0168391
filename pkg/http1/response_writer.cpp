#include "http1/response_writer.hpp"

#include <string>

#include "http1/field_text.hpp"

namespace zedge::http1 {
namespace {

// What the handler said about the body length in its Content-Length header(s).
struct HandlerLength {
  bool present = false;
  bool valid = true;
  std::uint64_t value = 0;
};

HandlerLength handler_length(const std::vector<ResponseHeader>& headers) {
  HandlerLength length;
  for (const auto& h : headers) {
    if (!equals_ignore_case(h.name, "Content-Length")) continue;
    const auto parsed = parse_decimal_length(h.value);
    // Repeats are fine only if they agree (RFC 9110 §8.6).
    if (!parsed || (length.present && *parsed != length.value)) length.valid = false;
    if (parsed) length.value = *parsed;
    length.present = true;
  }
  return length;
}

// RFC 9110 §15.2, §15.3.5, §15.4.5: these responses never have content.
bool status_forbids_body(int code) { return (code >= 100 && code < 200) || code == 204 || code == 304; }

// HEAD and 304 may carry the Content-Length a GET would have had (RFC 9110 §8.6); 1xx and
// 204 must not carry one at all.
bool may_announce_length(const ResponseInfo& info) {
  if (info.code == 304) return true;
  return info.head_request && !status_forbids_body(info.code);
}

// Bytes that would end a line early and let a handler split the response.
bool has_line_breaking_byte(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

bool headers_are_writable(const ResponseInfo& info) {
  if (has_line_breaking_byte(info.reason)) return false;
  for (const auto& h : info.headers) {
    if (!is_token(h.name) || has_line_breaking_byte(h.value)) return false;
  }
  return true;
}

void append_status_line(int version_minor, int code, std::string_view reason, std::string& out) {
  out += version_minor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ";
  out += std::to_string(code);
  out += ' ';
  out += reason.empty() ? reason_phrase(code) : reason;
  out += "\r\n";
}

void append_header(std::string_view name, std::string_view value, std::string& out) {
  out += name;
  out += ": ";
  out += value;
  out += "\r\n";
}

// RFC 9112 §9.3: HTTP/1.1 persists by default and HTTP/1.0 does not, so only the
// exception is stated.
void append_connection(int version_minor, bool keep_alive, std::string& out) {
  if (version_minor == 0 && keep_alive) append_header("Connection", "keep-alive", out);
  if (version_minor != 0 && !keep_alive) append_header("Connection", "close", out);
}

}  // namespace

std::optional<ResponsePlan> plan_response(const ResponseInfo& info) {
  if (info.code < 100 || info.code > 999 || !headers_are_writable(info)) return std::nullopt;
  const HandlerLength length = handler_length(info.headers);
  if (!length.valid) return std::nullopt;

  ResponsePlan plan;
  plan.keep_alive = info.keep_alive;
  if (info.head_request || status_forbids_body(info.code)) {
    plan.framing = Framing::NoBody;
    plan.content_length = length.present ? length.value : info.first_body_size;
    // A HEAD answered with a whole body (no `more`) announces the length a GET would
    // get, as Condure's head does; only the body bytes are left out.
    plan.announce_length = may_announce_length(info) && (length.present || (info.head_request && !info.more));
  } else if (length.present) {
    plan.framing = Framing::ContentLength;
    plan.content_length = length.value;
  } else if (!info.more) {
    plan.framing = Framing::ContentLength;
    plan.content_length = info.first_body_size;
  } else if (info.version_minor == 1) {
    plan.framing = Framing::Chunked;
  } else {
    // RFC 9112 §6.3 item 8: without a length or chunking only the close ends the body.
    plan.framing = Framing::CloseDelimited;
    plan.keep_alive = false;
  }
  return plan;
}

void write_head(const ResponseInfo& info, const ResponsePlan& plan, std::string& out) {
  append_status_line(info.version_minor, info.code, info.reason, out);
  const bool switching = info.code == 101;
  for (const auto& h : info.headers) {
    // Framing and persistence are zedge's to decide; a 101 keeps the handler's
    // "Connection: Upgrade" (RFC 9110 §7.8).
    if (equals_ignore_case(h.name, "Content-Length") || equals_ignore_case(h.name, "Transfer-Encoding")) continue;
    if (equals_ignore_case(h.name, "Connection") && !switching) continue;
    append_header(h.name, h.value, out);
  }
  // Condure writes Connection before the framing headers; same order, same bytes.
  if (!switching) append_connection(info.version_minor, plan.keep_alive, out);
  switch (plan.framing) {
    case Framing::ContentLength: append_header("Content-Length", std::to_string(plan.content_length), out); break;
    case Framing::NoBody:
      if (plan.announce_length) {
        append_header("Content-Length", std::to_string(plan.content_length), out);
      }
      break;
    case Framing::Chunked: append_header("Transfer-Encoding", "chunked", out); break;
    case Framing::CloseDelimited: break;
  }
  out += "\r\n";
}

void write_chunk(std::string_view data, std::string& out) {
  if (data.empty()) return;  // a zero-size chunk would end the body (RFC 9112 §7.1)
  static constexpr char kHexDigits[] = "0123456789abcdef";
  char hex[16];
  std::size_t n = 0;
  std::size_t size = data.size();
  do {
    hex[n++] = kHexDigits[size & 0xf];
    size >>= 4;
  } while (size != 0);
  while (n > 0) out += hex[--n];
  out += "\r\n";
  out += data;
  out += "\r\n";
}

void write_last_chunk(std::string& out) { out += "0\r\n\r\n"; }

void write_simple_response(int version_minor, int code, std::string_view reason, std::string_view body, bool keep_alive,
                           std::string& out) {
  append_status_line(version_minor, code, reason, out);
  append_header("Content-Type", "text/plain", out);
  append_connection(version_minor, keep_alive, out);
  append_header("Content-Length", std::to_string(body.size()), out);
  out += "\r\n";
  out += body;
}

}  // namespace zedge::http1
