#include "self_install.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

namespace zedge::drain {
namespace {

constexpr mode_t kExecutable = 0755;

std::string system_error(const std::string& what) { return what + ": " + std::strerror(errno); }

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Closes now, reporting the error close() may hold for a written file.
  bool close_now() {
    const int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0;
  }

 private:
  int fd_;
};

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

std::optional<std::string> install_self(const std::string& dir) {
  Fd source(::open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
  if (source.get() < 0) return system_error("open /proc/self/exe");
  const std::string target = dir + "/zedge-drain";
  std::string temporary = dir + "/.zedge-drain.XXXXXX";
  Fd out(::mkostemp(temporary.data(), O_CLOEXEC));
  if (out.get() < 0) return system_error("create a file in " + dir);

  std::vector<char> buffer(1 << 16);
  bool ok = true;
  std::string error;
  for (;;) {
    const ssize_t n = ::read(source.get(), buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ok = false;
      error = system_error("read /proc/self/exe");
      break;
    }
    if (n == 0) break;
    if (!write_all(out.get(), buffer.data(), static_cast<std::size_t>(n))) {
      ok = false;
      error = system_error("write " + temporary);
      break;
    }
  }
  // mkostemp creates 0600; the handler container may run as another user.
  if (ok && ::fchmod(out.get(), kExecutable) != 0) {
    ok = false;
    error = system_error("chmod " + temporary);
  }
  if (ok && !out.close_now()) {
    ok = false;
    error = system_error("close " + temporary);
  }
  if (ok && ::rename(temporary.c_str(), target.c_str()) != 0) {
    ok = false;
    error = system_error("rename to " + target);
  }
  if (!ok) {
    ::unlink(temporary.c_str());
    return error;
  }
  return std::nullopt;
}

}  // namespace zedge::drain
