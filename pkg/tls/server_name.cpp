#include "tls/server_name.hpp"

namespace zedge::tls {

std::optional<std::string> identity_name(std::string_view server_name) {
  if (server_name.empty() || server_name.size() > kServerNameMaxBytes || server_name.front() == '.') {
    return std::nullopt;
  }
  std::string name;
  name.reserve(server_name.size());
  for (const char c : server_name) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f || c == '/') return std::nullopt;
    name += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return name;
}

std::vector<std::string> identity_candidates(std::string_view server_name, std::string_view default_name) {
  std::vector<std::string> names;
  if (auto exact = identity_name(server_name)) {
    // One level only: a.b.example.com may use _.b.example.com, never _.example.com.
    const auto dot = exact->find('.');
    if (dot != std::string::npos && dot + 1 < exact->size()) {
      names.push_back(*exact);
      names.push_back("_." + exact->substr(dot + 1));
    } else {
      names.push_back(std::move(*exact));
    }
  }
  if (!default_name.empty()) names.emplace_back(default_name);
  return names;
}

}  // namespace zedge::tls
