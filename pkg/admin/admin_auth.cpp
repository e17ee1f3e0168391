#include "admin/admin_auth.hpp"

#include <cstddef>

#include "http1/field_text.hpp"

namespace zedge::admin {
namespace {

// The credentials of `Bearer <token>` (RFC 6750 §2.1; the scheme is case-insensitive,
// RFC 9110 §11.1), or nullopt for another scheme.
std::optional<std::string_view> bearer_credentials(std::string_view authorization) {
  constexpr std::string_view kScheme = "Bearer";
  if (authorization.size() <= kScheme.size() || authorization[kScheme.size()] != ' ') return std::nullopt;
  if (!http1::equals_ignore_case(authorization.substr(0, kScheme.size()), kScheme)) return std::nullopt;
  std::string_view credentials = authorization.substr(kScheme.size());
  while (!credentials.empty() && credentials.front() == ' ') credentials.remove_prefix(1);
  return credentials;
}

}  // namespace

bool constant_time_equals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff = static_cast<unsigned char>(diff | (static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i])));
  }
  return diff == 0;
}

AuthDecision authorize_mutation(std::string_view configured_token, std::optional<std::string_view> authorization,
                                bool peer_is_loopback) {
  if (configured_token.empty()) return peer_is_loopback ? AuthDecision::Allowed : AuthDecision::Forbidden;
  if (!authorization) return peer_is_loopback ? AuthDecision::Allowed : AuthDecision::Unauthorized;
  const auto credentials = bearer_credentials(*authorization);
  if (credentials && constant_time_equals(*credentials, configured_token)) return AuthDecision::Allowed;
  return AuthDecision::Unauthorized;
}

}  // namespace zedge::admin
