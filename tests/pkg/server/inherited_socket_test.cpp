// Inherited listeners: which descriptor a `fd:N` / `systemd:NAME` spec names (pure, from
// the environment systemd sets), and the checks on what the descriptor really is.
#include "server/inherited_socket.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace zedge::server {
namespace {

config::ListenSpec spec_of(const std::string& text) {
  config::ListenSpec spec;
  EXPECT_EQ(config::parse_listen(text, spec), std::nullopt) << text;
  return spec;
}

ActivationEnv activation(std::string fds, std::string names) {
  return ActivationEnv{"4242", std::move(fds), std::move(names), 4242};
}

TEST(InheritedFd, FdSpecNamesItsDescriptor) {
  EXPECT_EQ(std::get<int>(inherited_fd(spec_of("fd:9"), ActivationEnv{})), 9);
}

TEST(InheritedFd, SystemdNamesAndIndexes) {
  const auto env = activation("3", "web:admin:api");
  EXPECT_EQ(std::get<int>(inherited_fd(spec_of("systemd:web"), env)), 3);
  EXPECT_EQ(std::get<int>(inherited_fd(spec_of("systemd:api"), env)), 5);
  EXPECT_EQ(std::get<int>(inherited_fd(spec_of("systemd:1"), env)), 4);
  EXPECT_NE(std::get<std::string>(inherited_fd(spec_of("systemd:nope"), env)).find("no socket of that name"),
            std::string::npos);
  EXPECT_NE(std::get<std::string>(inherited_fd(spec_of("systemd:3"), env)).find("out of range"), std::string::npos);
}

TEST(InheritedFd, SystemdVariablesMustBeForThisProcess) {
  EXPECT_NE(std::get<std::string>(inherited_fd(spec_of("systemd:web"), ActivationEnv{})).find("LISTEN_FDS is not set"),
            std::string::npos);
  ActivationEnv other = activation("1", "web");
  other.own_pid = 7;
  EXPECT_NE(std::get<std::string>(inherited_fd(spec_of("systemd:web"), other)).find("LISTEN_PID"), std::string::npos);
  EXPECT_NE(std::get<std::string>(inherited_fd(spec_of("systemd:web"), activation("0", "web"))).find("positive"),
            std::string::npos);
}

TEST(CheckListeningSocket, AcceptsListeningTcpAndUnixSockets) {
  const int tcp = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(tcp, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(tcp, 1), 0);
  EXPECT_EQ(std::get<ListeningSocket>(check_listening_socket(tcp)).family, AF_INET);
  ::close(tcp);

  const int local = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un u{};
  u.sun_family = AF_UNIX;
  const std::string path = "/tmp/zedge-inherited-test-" + std::to_string(::getpid());
  std::snprintf(u.sun_path, sizeof u.sun_path, "%s", path.c_str());
  ::unlink(path.c_str());
  ASSERT_EQ(::bind(local, reinterpret_cast<sockaddr*>(&u), sizeof u), 0);
  ASSERT_EQ(::listen(local, 1), 0);
  EXPECT_EQ(std::get<ListeningSocket>(check_listening_socket(local)).family, AF_UNIX);
  ::close(local);
  ::unlink(path.c_str());
}

TEST(CheckListeningSocket, RefusesWhatCannotAccept) {
  EXPECT_NE(std::get<std::string>(check_listening_socket(987)).find("Bad file descriptor"), std::string::npos);
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  EXPECT_NE(std::get<std::string>(check_listening_socket(pipe_fds[0])).find("not a socket"), std::string::npos);
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
  const int unbound = ::socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_NE(std::get<std::string>(check_listening_socket(unbound)).find("not listening"), std::string::npos);
  ::close(unbound);
  const int udp = ::socket(AF_INET, SOCK_DGRAM, 0);
  EXPECT_NE(std::get<std::string>(check_listening_socket(udp)).find("not a stream socket"), std::string::npos);
  ::close(udp);
}

}  // namespace
}  // namespace zedge::server
