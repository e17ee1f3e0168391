#include "server/inherited_socket.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <vector>

namespace zedge::server {
namespace {

std::optional<long> number(std::string_view text) {
  long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

std::vector<std::string_view> split_colons(std::string_view text) {
  std::vector<std::string_view> parts;
  if (text.empty()) return parts;
  for (;;) {
    const auto colon = text.find(':');
    parts.push_back(text.substr(0, colon));
    if (colon == std::string_view::npos) return parts;
    text.remove_prefix(colon + 1);
  }
}

std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

}  // namespace

ActivationEnv ActivationEnv::from_process() {
  return ActivationEnv{env_or_empty("LISTEN_PID"), env_or_empty("LISTEN_FDS"), env_or_empty("LISTEN_FDNAMES"),
                       static_cast<long>(::getpid())};
}

std::variant<int, std::string> inherited_fd(const config::ListenSpec& spec, const ActivationEnv& env) {
  if (spec.inherited_fd) return *spec.inherited_fd;
  const std::string what = "listen systemd:" + spec.systemd_name + ": ";
  if (env.listen_fds.empty()) return what + "LISTEN_FDS is not set (not started by socket activation)";
  // The variables are for the process systemd started, not for a child that inherited them.
  const auto pid = number(env.listen_pid);
  if (!pid || *pid != env.own_pid) return what + "LISTEN_PID does not name this process";
  const auto count = number(env.listen_fds);
  if (!count || *count == 0) return what + "LISTEN_FDS is not a positive number";
  const auto names = split_colons(env.listen_fdnames);
  for (std::size_t i = 0; i < names.size() && i < static_cast<std::size_t>(*count); ++i) {
    if (names[i] == spec.systemd_name) return kSystemdFirstFd + static_cast<int>(i);
  }
  // No such name: an index ("systemd:0") picks by position.
  if (const auto index = number(spec.systemd_name)) {
    if (*index < *count) return kSystemdFirstFd + static_cast<int>(*index);
    return what + "index out of range (LISTEN_FDS=" + env.listen_fds + ")";
  }
  return what + "no socket of that name in LISTEN_FDNAMES='" + env.listen_fdnames + "'";
}

std::variant<ListeningSocket, std::string> check_listening_socket(int fd) {
  const std::string what = "inherited descriptor " + std::to_string(fd) + ": ";
  struct stat st {};
  if (::fstat(fd, &st) != 0) return what + std::strerror(errno);
  if (!S_ISSOCK(st.st_mode)) return what + "not a socket";
  int type = 0;
  int listening = 0;
  sockaddr_storage address{};
  socklen_t length = sizeof type;
  if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) != 0) return what + std::strerror(errno);
  if (type != SOCK_STREAM) return what + "not a stream socket";
  length = sizeof listening;
  if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) != 0) return what + std::strerror(errno);
  if (listening == 0) return what + "not listening (the parent must bind and listen)";
  length = sizeof address;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return what + std::strerror(errno);
  const int family = address.ss_family;
  if (family != AF_INET && family != AF_INET6 && family != AF_UNIX) return what + "not an IP or unix socket";
  return ListeningSocket{fd, family};
}

}  // namespace zedge::server
