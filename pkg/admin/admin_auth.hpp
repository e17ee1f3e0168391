// Who may call a mutating admin endpoint (README.md, "Admin API, metrics and drain"; as
// Linkerd's admin server gates its /shutdown to localhost):
//   no token configured: loopback peers only; others get 403.
//   a token configured: a request that presents `Authorization: Bearer <token>` is allowed
//     from anywhere; one that presents anything else gets 401, even from loopback (a wrong
//     token is a mistake worth reporting); one with no Authorization header is allowed
//     from loopback and gets 401 from elsewhere.
#pragma once

#include <optional>
#include <string_view>

namespace zedge::admin {

enum class AuthDecision { Allowed, Forbidden, Unauthorized };

AuthDecision authorize_mutation(std::string_view configured_token, std::optional<std::string_view> authorization,
                                bool peer_is_loopback);

// Compares without an early exit, so the time taken does not reveal how much of a
// guessed token was right (it reveals only the lengths).
bool constant_time_equals(std::string_view a, std::string_view b);

}  // namespace zedge::admin
