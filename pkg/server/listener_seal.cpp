#include "server/listener_seal.hpp"

#include <linux/filter.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <iterator>

namespace zedge::server {
namespace {

// A classic BPF socket filter runs on each segment for the socket with the TCP header at
// offset 0: byte 13 holds the flags. A segment with SYN and without ACK is a new
// handshake: return 0 (drop). Anything else: keep it whole.
constexpr std::uint8_t kTcpFlagsOffset = 13;
constexpr std::uint32_t kSyn = 0x02;
constexpr std::uint32_t kAck = 0x10;

sock_filter drop_new_handshakes[] = {
    BPF_STMT(BPF_LD | BPF_B | BPF_ABS, kTcpFlagsOffset),
    BPF_STMT(BPF_ALU | BPF_AND | BPF_K, kSyn | kAck),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kSyn, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, 0),
    BPF_STMT(BPF_RET | BPF_K, 0xffffffffu),
};

std::string failure(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

}  // namespace

std::optional<std::string> seal_listening_socket(int fd, int family) {
  if (family == AF_UNIX) {
    if (::shutdown(fd, SHUT_RD) != 0) return failure("shutdown");
    return std::nullopt;
  }
  sock_fprog program{static_cast<unsigned short>(std::size(drop_new_handshakes)), drop_new_handshakes};
  if (::setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program) != 0) {
    return failure("SO_ATTACH_FILTER");
  }
  return std::nullopt;
}

}  // namespace zedge::server
