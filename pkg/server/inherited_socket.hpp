// Listening sockets handed over by a parent instead of bound by zedge: `--listen fd:N`
// (Circus `$(circus.sockets.NAME)`, uwsgi `fd://`, a supervisor or a previous zedge) and
// systemd socket activation (`--listen systemd:NAME`, sd_listen_fds(3): LISTEN_PID,
// LISTEN_FDS, LISTEN_FDNAMES, descriptors from 3 on).
#pragma once

#include <optional>
#include <string>
#include <variant>

#include "config/config.hpp"

namespace zedge::server {

// What systemd put in the environment (empty strings when unset).
struct ActivationEnv {
  std::string listen_pid;
  std::string listen_fds;
  std::string listen_fdnames;
  long own_pid = 0;

  static ActivationEnv from_process();
};

inline constexpr int kSystemdFirstFd = 3;  // SD_LISTEN_FDS_START

// The descriptor a spec names, or the reason it cannot be had. Pure: no system calls.
std::variant<int, std::string> inherited_fd(const config::ListenSpec& spec, const ActivationEnv& env);

// What the descriptor is, checked with fstat/getsockopt: a listening stream socket of
// family AF_INET, AF_INET6 or AF_UNIX. Anything else is a startup error.
struct ListeningSocket {
  int fd = -1;
  int family = 0;
};
std::variant<ListeningSocket, std::string> check_listening_socket(int fd);

}  // namespace zedge::server
