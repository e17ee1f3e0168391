#include "http1/llhttp_error_status.hpp"

#include <llhttp.h>

#include <string>

namespace zedge::http1 {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// "1.2" is a well-formed version zedge does not speak (505, RFC 9110 §15.6.6); "1.x" or
// "12.1" do not match HTTP-version = "HTTP/" DIGIT "." DIGIT at all (400, RFC 9112 §2.3).
bool is_well_formed_version(std::string_view v) {
  return v.size() == 3 && is_digit(v[0]) && v[1] == '.' && is_digit(v[2]);
}

}  // namespace

RequestError error_from_llhttp(int llhttp_errno, std::string_view version_text, bool version_accepted) {
  switch (static_cast<llhttp_errno_t>(llhttp_errno)) {
    case HPE_INVALID_VERSION:
      if (version_accepted) return {400, "malformed request line ending"};
      if (is_well_formed_version(version_text)) {
        return {505, "HTTP/" + std::string(version_text) + " is not supported"};
      }
      return {400, "malformed HTTP version"};
    case HPE_PAUSED_H2_UPGRADE: return {505, "HTTP/2 is not supported"};
    case HPE_INVALID_METHOD: return {400, "unknown or malformed method"};
    case HPE_INVALID_URL: return {400, "malformed request-target"};
    case HPE_INVALID_CONSTANT: return {400, "malformed request line"};
    case HPE_UNEXPECTED_SPACE: return {400, "whitespace before the first header field"};
    case HPE_INVALID_HEADER_TOKEN: return {400, "invalid character in a header field"};
    case HPE_UNEXPECTED_CONTENT_LENGTH: return {400, "Content-Length repeated or combined with Transfer-Encoding"};
    case HPE_INVALID_CONTENT_LENGTH: return {400, "invalid Content-Length"};
    case HPE_INVALID_TRANSFER_ENCODING: return {400, "invalid Transfer-Encoding"};
    case HPE_INVALID_CHUNK_SIZE: return {400, "invalid chunk size"};
    case HPE_STRICT:
    case HPE_CR_EXPECTED:
    case HPE_LF_EXPECTED: return {400, "malformed line ending or chunk framing"};
    case HPE_CLOSED_CONNECTION: return {400, "data after the last request of a closing connection"};
    default: return {400, "malformed request"};
  }
}

}  // namespace zedge::http1
