// Which identity files a TLS client's server name (SNI) may use, in the order Condure
// tries them: the exact name, then the one-level wildcard `_.<parent>`,
// then the listener's default-cert. Pure string rules, no files.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zedge::tls {

// Longest DNS name (RFC 1035 §2.3.4); longer SNI values are refused.
inline constexpr std::size_t kServerNameMaxBytes = 253;

// The lower-cased name if it can name a file in the identities dir: not empty, at most
// kServerNameMaxBytes, no '/', no control characters, no leading '.' (so never ".." or a
// hidden file). nullopt otherwise.
std::optional<std::string> identity_name(std::string_view server_name);

// Identity names to try for `server_name` (empty when the client sent no SNI), best first.
// `default_name` (a listener's default-cert, may be empty) comes last and is used as given.
std::vector<std::string> identity_candidates(std::string_view server_name, std::string_view default_name);

}  // namespace zedge::tls
