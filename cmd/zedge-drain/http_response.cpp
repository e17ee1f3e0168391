#include "http_response.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace zedge::drain {
namespace {

constexpr std::size_t kMessageMax = 200;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

template <typename Number>
bool parse_number(std::string_view text, Number& out) {
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return !text.empty() && ec == std::errc{} && ptr == end;
}

}  // namespace

std::optional<HttpResponse> parse_http_response(std::string_view bytes, std::string& error) {
  const std::size_t head_end = bytes.find("\r\n\r\n");
  if (head_end == std::string_view::npos) {
    error = bytes.empty() ? "no response" : "incomplete response head";
    return std::nullopt;
  }
  const std::string_view head = bytes.substr(0, head_end);
  std::string_view body = bytes.substr(head_end + 4);

  const std::size_t line_end = head.find("\r\n");
  const std::string_view status_line = head.substr(0, line_end);
  HttpResponse response;
  // "HTTP/1.x NNN reason"
  if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." || status_line[8] != ' ' ||
      !parse_number(status_line.substr(9, 3), response.status) || (status_line.size() > 12 && status_line[12] != ' ')) {
    error = "not an HTTP/1.x status line";
    return std::nullopt;
  }

  std::optional<std::size_t> content_length;
  std::string_view fields = line_end == std::string_view::npos ? std::string_view{} : head.substr(line_end + 2);
  while (!fields.empty()) {
    const std::size_t next = fields.find("\r\n");
    const std::string_view line = fields.substr(0, next);
    fields = next == std::string_view::npos ? std::string_view{} : fields.substr(next + 2);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string name = lower(trim(line.substr(0, colon)));
    const std::string_view value = trim(line.substr(colon + 1));
    if (name == "content-length") {
      std::size_t length = 0;
      if (!parse_number(value, length)) {
        error = "bad Content-Length";
        return std::nullopt;
      }
      content_length = length;
    } else if (name == "transfer-encoding") {
      error = "unexpected Transfer-Encoding";
      return std::nullopt;
    }
  }
  if (content_length) {
    if (body.size() < *content_length) {
      error = "response body cut short";
      return std::nullopt;
    }
    body = body.substr(0, *content_length);
  }
  response.body = std::string(body);
  return response;
}

std::string error_message(std::string_view body) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (!doc.HasParseError() && doc.IsObject()) {
    const auto found = doc.FindMember("error");
    if (found != doc.MemberEnd() && found->value.IsString()) {
      return std::string(found->value.GetString(), found->value.GetStringLength());
    }
  }
  std::string line(trim(body.substr(0, std::min(body.size(), kMessageMax))));
  std::replace_if(
      line.begin(), line.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  return line;
}

}  // namespace zedge::drain
