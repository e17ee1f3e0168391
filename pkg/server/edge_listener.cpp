#include "server/edge_listener.hpp"

#include <arpa/inet.h>
#include <grp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "log/log.hpp"
#include "server/inherited_socket.hpp"
#include "server/listener_seal.hpp"
#include "server/worker.hpp"

namespace zedge::server {
namespace {

constexpr const char* kLog = "listener";
// How soon to look again for room when every worker is full.
constexpr auto kFullRetryDelay = std::chrono::milliseconds(10);
constexpr auto kAcceptFailureLogInterval = std::chrono::seconds(5);
// Connections answered 503 at the limit are held this long at most, this many at once.
constexpr auto kRefuseLingerTime = std::chrono::seconds(1);
constexpr std::size_t kRefusingMax = 256;
// After a listener is sealed, how long handshakes the kernel already answered get to
// complete into its backlog (the client's last ACK is one round trip away).
constexpr auto kHandshakeSettleTime = std::chrono::milliseconds(100);

PeerInfo peer_of(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  PeerInfo peer;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return peer;
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&address);
    ::inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
    peer.address = text;
    peer.port = ntohs(v4->sin_port);
  } else if (address.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&address);
    ::inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
    peer.address = text;
    peer.port = ntohs(v6->sin6_port);
  }
  return peer;  // unix sockets: no peer fields
}

void set_tcp_options(int fd) {
  // As Condure: no Nagle delay on responses, and keepalive to find dead peers.
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
}

}  // namespace

EdgeListener::EdgeListener(std::vector<Worker*> workers) : workers_(std::move(workers)) {}

EdgeListener::~EdgeListener() { stop(); }

// user=/group= of a unix socket listener (as Condure 1.10): names resolved at start.
static std::optional<std::string> set_owner(const std::string& path, const std::string& user,
                                            const std::string& group) {
  if (user.empty() && group.empty()) return std::nullopt;
  uid_t uid = static_cast<uid_t>(-1);
  gid_t gid = static_cast<gid_t>(-1);
  if (!user.empty()) {
    const passwd* pw = ::getpwnam(user.c_str());
    if (pw == nullptr) return "listen " + path + ": unknown user '" + user + "'";
    uid = pw->pw_uid;
  }
  if (!group.empty()) {
    const struct group* gr = ::getgrnam(group.c_str());
    if (gr == nullptr) return "listen " + path + ": unknown group '" + group + "'";
    gid = gr->gr_gid;
  }
  if (::chown(path.c_str(), uid, gid) != 0) {
    return "listen " + path + ": cannot set owner: " + std::string(std::strerror(errno));
  }
  return std::nullopt;
}

std::optional<std::string> EdgeListener::add(const config::ListenSpec& spec, const std::string& tls_identities_dir) {
  auto error = spec.inherited() ? add_inherited(spec) : add_bound(spec);
  if (error || !spec.tls) return error;
  return use_tls(*acceptors_.back(), spec, tls_identities_dir);
}

std::optional<std::string> EdgeListener::use_tls(Acceptor& acceptor, const config::ListenSpec& spec,
                                                 const std::string& tls_identities_dir) {
  if (!identities_) identities_ = std::make_unique<tls::IdentityStore>(tls_identities_dir);
  auto created = tls::ListenerContext::create(*identities_, spec.default_cert);
  if (const auto* error = std::get_if<std::string>(&created)) return "listen " + spec.to_string() + ": " + *error;
  acceptor.tls = std::move(std::get<std::unique_ptr<tls::ListenerContext>>(created));
  acceptor.info.secure = true;
  acceptor.info.tls = acceptor.tls.get();
  // Not fatal (Condure starts too, and the files may appear later), but worth a line:
  // without it, handshakes with no matching SNI fail.
  if (!spec.default_cert.empty() && !identities_->find(spec.default_cert)) {
    LOG_WARN(kLog, "listen " << spec.to_string() << ": no usable " << spec.default_cert << ".crt/.key in "
                             << tls_identities_dir << " yet");
  }
  return std::nullopt;
}

std::optional<std::string> EdgeListener::add_bound(const config::ListenSpec& spec) {
  asio::error_code ec;
  asio::generic::stream_protocol::endpoint endpoint;
  std::string local_path;
  if (spec.local) {
    local_path = spec.path;
    ::unlink(local_path.c_str());  // a stale socket file from an earlier run
    endpoint = asio::generic::stream_protocol::endpoint(asio::local::stream_protocol::endpoint(local_path));
  } else {
    const auto address = asio::ip::make_address(spec.address, ec);
    if (ec) return "bad listen address " + spec.address;
    endpoint = asio::generic::stream_protocol::endpoint(asio::ip::tcp::endpoint(address, spec.port));
  }
  auto acceptor = std::make_unique<Acceptor>(
      Acceptor{asio::basic_socket_acceptor<asio::generic::stream_protocol>(io_),
               ListenerInfo{spec.mode == config::ListenMode::Req ? Mode::Req : Mode::Stream, spec.tls}, local_path,
               spec.to_string()});
  auto& socket = acceptor->socket;
  socket.open(endpoint.protocol(), ec);
  if (!ec && !spec.local) socket.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) socket.bind(endpoint, ec);
  if (!ec) socket.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return "failed to listen on " + spec.to_string() + ": " + ec.message();
  acceptor->family = endpoint.protocol().family();
  if (spec.local && spec.local_mode) ::chmod(local_path.c_str(), static_cast<mode_t>(*spec.local_mode));
  if (spec.local) {
    if (auto error = set_owner(local_path, spec.local_user, spec.local_group)) return error;
  }
  LOG_INFO(kLog, "listening on " << spec.to_string());
  acceptors_.push_back(std::move(acceptor));
  return std::nullopt;
}

std::optional<std::string> EdgeListener::add_inherited(const config::ListenSpec& spec) {
  const auto fd = inherited_fd(spec, ActivationEnv::from_process());
  if (const auto* error = std::get_if<std::string>(&fd)) return *error;
  const auto checked = check_listening_socket(std::get<int>(fd));
  if (const auto* error = std::get_if<std::string>(&checked)) return *error;
  const auto& listening = std::get<ListeningSocket>(checked);
  auto acceptor = std::make_unique<Acceptor>(
      Acceptor{asio::basic_socket_acceptor<asio::generic::stream_protocol>(io_),
               ListenerInfo{spec.mode == config::ListenMode::Req ? Mode::Req : Mode::Stream, spec.tls}, std::string(),
               spec.to_string()});
  // The parent keeps its own copy of the descriptor; the socket file of an inherited unix
  // listener is the parent's to remove.
  asio::error_code ec;
  acceptor->socket.assign(asio::generic::stream_protocol(listening.family, SOCK_STREAM), listening.fd, ec);
  if (ec) return "failed to use " + spec.to_string() + ": " + ec.message();
  acceptor->unix_socket = listening.family == AF_UNIX;
  acceptor->inherited = true;
  acceptor->family = listening.family;
  LOG_INFO(kLog, "listening on " << spec.to_string() << " (inherited)");
  acceptors_.push_back(std::move(acceptor));
  return std::nullopt;
}

void EdgeListener::start() {
  for (auto& acceptor : acceptors_) {
    // accept_pending takes connections until the backlog is empty: it must not block.
    asio::error_code ignored;
    acceptor->socket.non_blocking(true, ignored);
    accept_next(*acceptor);
  }
  thread_ = std::thread([this] { io_.run(); });
}

void EdgeListener::stop_accepting() {
  if (!accepting_.exchange(false)) return;
  asio::post(io_, [this] { seal_then_close(); });
}

void EdgeListener::seal_then_close() {
  for (auto& acceptor : acceptors_) {
    // An inherited socket stays open in the parent, which keeps (and may accept) what
    // comes after we close our copy: it is not ours to seal.
    if (acceptor->inherited || !acceptor->socket.is_open()) continue;
    if (auto error = seal_listening_socket(acceptor->socket.native_handle(), acceptor->family)) {
      LOG_WARN(kLog, "cannot seal " << acceptor->description << " (" << *error
                                    << "): connections arriving while it closes may be reset");
    }
  }
  auto timer = std::make_shared<asio::steady_timer>(io_, kHandshakeSettleTime);
  timer->async_wait([this, timer](const asio::error_code&) {
    std::size_t taken = 0;
    for (auto& acceptor : acceptors_) taken += accept_backlog_and_close(*acceptor);
    closed_.store(true);
    LOG_INFO(kLog, "stopped accepting new connections (" << taken << " taken from the backlog while closing)");
    if (on_closed_) on_closed_();
  });
}

std::size_t EdgeListener::accept_backlog_and_close(Acceptor& acceptor) {
  std::size_t taken = 0;
  while (acceptor.socket.is_open()) {
    asio::error_code ec;
    take_one(acceptor, pick_worker(acceptor.info.mode), true, ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) break;
    if (ec) {
      // Out of descriptors: what is still queued is reset when the socket closes.
      LOG_WARN(kLog, "accept on " << acceptor.description << " failed while closing: " << ec.message());
      break;
    }
    ++taken;
  }
  asio::error_code ignored;
  acceptor.socket.close(ignored);
  return taken;
}

void EdgeListener::stop() {
  if (!thread_.joinable()) return;
  asio::post(io_, [this] {
    for (auto& acceptor : acceptors_) {
      asio::error_code ignored;
      acceptor->socket.close(ignored);
    }
  });
  thread_.join();
  for (auto& acceptor : acceptors_) {
    if (!acceptor->local_path.empty()) ::unlink(acceptor->local_path.c_str());
  }
}

void EdgeListener::refuse_busy(asio::generic::stream_protocol::socket socket) {
  static constexpr std::string_view kBody = "The server is at its connection limit; try again later.\n";
  static const std::string kResponse =
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
      "Connection: close\r\nContent-Length: " +
      std::to_string(kBody.size()) + "\r\n\r\n" + std::string(kBody);
  LOG_DEBUG(kLog, "connection limit reached: answering 503");
  asio::error_code ec;
  socket.non_blocking(true, ec);
  socket.write_some(asio::buffer(kResponse), ec);
  socket.shutdown(asio::socket_base::shutdown_send, ec);
  // Read and drop the request for a moment before closing, so the close does not reset
  // the connection and destroy the 503 before the client read it.
  ++refusing_;
  auto held = std::make_shared<asio::generic::stream_protocol::socket>(std::move(socket));
  auto timer = std::make_shared<asio::steady_timer>(io_, kRefuseLingerTime);
  auto done = std::make_shared<bool>(false);
  auto finish = [this, held, timer, done] {
    if (*done) return;
    *done = true;
    asio::error_code ignored;
    timer->cancel();
    held->close(ignored);
    --refusing_;
  };
  timer->async_wait([finish](const asio::error_code&) { finish(); });
  drain_then(held, finish);
}

void EdgeListener::drain_then(std::shared_ptr<asio::generic::stream_protocol::socket> socket,
                              std::function<void()> finish) {
  socket->async_wait(asio::socket_base::wait_read, [socket, finish](const asio::error_code& ec) {
    if (ec) return finish();
    char sink[4096];
    asio::error_code read_ec;
    socket->read_some(asio::buffer(sink), read_ec);
    if (read_ec && read_ec != asio::error::would_block) return finish();
    drain_then(socket, finish);
  });
}

Worker* EdgeListener::pick_worker(Mode mode) {
  // Round robin over workers with room, as Condure alternates workers.
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    Worker* worker = workers_[(next_worker_ + i) % workers_.size()];
    if (worker->has_room(mode)) {
      next_worker_ = (next_worker_ + i + 1) % workers_.size();
      return worker;
    }
  }
  return nullptr;
}

void EdgeListener::accept_next(Acceptor& acceptor) {
  if (!acceptor.socket.is_open()) return;
  // Wait for a pending connection first and choose its worker only then: a worker slot
  // reserved while waiting would sit idle on a quiet listener, and at the limit starve
  // every other listener of that mode.
  acceptor.socket.async_wait(asio::socket_base::wait_read, [this, &acceptor](const asio::error_code& ec) {
    if (ec == asio::error::operation_aborted) return;
    if (ec) return accept_failed(acceptor, ec);
    accept_pending(acceptor);
  });
}

void EdgeListener::accept_pending(Acceptor& acceptor) {
  // A few per wake-up: a burst costs one wait, not one per connection.
  constexpr int kAcceptBatch = 16;
  for (int n = 0; n < kAcceptBatch && acceptor.socket.is_open(); ++n) {
    Worker* worker = pick_worker(acceptor.info.mode);
    if (worker == nullptr && refusing_ >= kRefusingMax) {
      // Too many refusals still draining: let the kernel backlog hold the rest.
      auto timer = std::make_shared<asio::steady_timer>(io_, kFullRetryDelay);
      timer->async_wait([this, &acceptor, timer](const asio::error_code&) { accept_next(acceptor); });
      return;
    }
    asio::error_code ec;
    take_one(acceptor, worker, false, ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) break;
    if (ec) return accept_failed(acceptor, ec);
  }
  accept_next(acceptor);
}

void EdgeListener::take_one(Acceptor& acceptor, Worker* worker, bool closing, asio::error_code& ec) {
  bool refuse = false;
  if (worker == nullptr) {
    if (!closing || !acceptor.tls) {
      // At --stream-maxconn / --req-maxconn: answer 503 instead of leaving the client
      // hanging in the backlog.
      auto socket = acceptor.socket.accept(io_, ec);
      if (ec) return;
      // A plain-text 503 means nothing to a TLS client: it gets a prompt close instead,
      // while the listener is open (it may retry).
      if (!acceptor.tls) refuse_busy(std::move(socket));
      return;
    }
    // A closing tls listener still owes this client an answer, which takes a handshake: a
    // worker takes it past its limit (the backlog bounds how many) and answers 503.
    worker = workers_[next_worker_];
    next_worker_ = (next_worker_ + 1) % workers_.size();
    refuse = true;
  }
  worker->reserve(acceptor.info.mode);
  // The accepted socket belongs to the worker's io_context from the start.
  auto socket = acceptor.socket.accept(worker->io(), ec);
  if (ec) {
    worker->release_reservation(acceptor.info.mode);
    return;
  }
  const int fd = socket.native_handle();
  PeerInfo peer;
  if (acceptor.local_path.empty() && !acceptor.unix_socket) {
    set_tcp_options(fd);
    peer = peer_of(fd);
  }
  const ListenerInfo info = acceptor.info;
  asio::post(worker->io(), [worker, info, refuse, peer = std::move(peer), socket = std::move(socket)]() mutable {
    worker->adopt(std::move(socket), info, std::move(peer), refuse);
  });
}

void EdgeListener::accept_failed(Acceptor& acceptor, const asio::error_code& ec) {
  if (!acceptor.socket.is_open()) return;
  // Out of descriptors repeats every retry; say so once per interval, not 100 times a second.
  const auto now = std::chrono::steady_clock::now();
  if (now - acceptor.last_failure_log >= kAcceptFailureLogInterval) {
    acceptor.last_failure_log = now;
    LOG_WARN(kLog, "accept on " << acceptor.description << " failed: " << ec.message());
  }
  // Out of descriptors or similar: back off briefly instead of spinning.
  auto timer = std::make_shared<asio::steady_timer>(io_, kFullRetryDelay);
  timer->async_wait([this, &acceptor, timer](const asio::error_code&) { accept_next(acceptor); });
}

}  // namespace zedge::server
