// The edge listener thread: owns every listening socket and hands each accepted
// connection to a worker that has room, chosen when the connection is taken. When no
// worker has room the connection gets a 503 (a tls one a prompt close); past a bound of
// refusals in flight the kernel backlog absorbs the excess instead of our memory. A tls
// listener carries the context its connections handshake with (identities from one store
// over --tls-identities-dir).
#pragma once

#include <sys/socket.h>

#include <asio.hpp>
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "config/config.hpp"
#include "server/connection_settings.hpp"
#include "tls/identity_store.hpp"
#include "tls/listener_context.hpp"

namespace zedge::server {

class Worker;

class EdgeListener {
 public:
  explicit EdgeListener(std::vector<Worker*> workers);
  ~EdgeListener();
  EdgeListener(const EdgeListener&) = delete;
  EdgeListener& operator=(const EdgeListener&) = delete;

  // Binds one listening socket (on the calling thread, before start); a tls listener finds
  // its identities in `tls_identities_dir`. Returns an error text.
  std::optional<std::string> add(const config::ListenSpec& spec, const std::string& tls_identities_dir);
  void start();
  // Stops taking new connections without losing any the kernel already completed (any
  // thread): each listening socket is sealed, its backlog accepted dry, then it is closed.
  // The thread keeps running until stop().
  void stop_accepting();
  bool accepting() const { return accepting_.load(); }
  // stop_accepting() is done: every listening socket is closed and what its backlog held
  // was handed to a worker (or refused with 503).
  bool closed() const { return closed_.load(); }
  // Called on the listener thread once closed() turns true. Set before start().
  void on_closed(std::function<void()> hook) { on_closed_ = std::move(hook); }
  // Closes the listening sockets (removing unix socket files) and joins the thread.
  void stop();

 private:
  struct Acceptor {
    asio::basic_socket_acceptor<asio::generic::stream_protocol> socket;
    ListenerInfo info;
    std::string local_path;  // unix socket file to remove on stop
    std::string description;
    std::chrono::steady_clock::time_point last_failure_log{};
    bool unix_socket = false;  // inherited unix listener (no peer address, no TCP options)
    bool inherited = false;    // fd: / systemd: (the parent holds the socket too)
    int family = AF_UNSPEC;
    std::unique_ptr<tls::ListenerContext> tls{};  // tls listeners only
  };

  std::optional<std::string> add_bound(const config::ListenSpec& spec);
  std::optional<std::string> add_inherited(const config::ListenSpec& spec);
  std::optional<std::string> use_tls(Acceptor& acceptor, const config::ListenSpec& spec,
                                     const std::string& tls_identities_dir);

  void accept_next(Acceptor& acceptor);
  void accept_pending(Acceptor& acceptor);
  // Takes one pending connection to `worker` (nullptr: none has room). `closing`: the
  // listener is closing, so a tls connection without room goes to a worker anyway, to be
  // answered 503 after its handshake.
  void take_one(Acceptor& acceptor, Worker* worker, bool closing, asio::error_code& ec);
  void seal_then_close();
  std::size_t accept_backlog_and_close(Acceptor& acceptor);
  void accept_failed(Acceptor& acceptor, const asio::error_code& ec);
  Worker* pick_worker(Mode mode);
  void refuse_busy(asio::generic::stream_protocol::socket socket);
  static void drain_then(std::shared_ptr<asio::generic::stream_protocol::socket> socket, std::function<void()> finish);

  std::vector<Worker*> workers_;
  std::size_t next_worker_ = 0;
  std::size_t refusing_ = 0;  // 503-refused connections still draining
  asio::io_context io_;
  // One store for every tls listener (one --tls-identities-dir); declared before the
  // acceptors whose contexts point into it.
  std::unique_ptr<tls::IdentityStore> identities_;
  std::vector<std::unique_ptr<Acceptor>> acceptors_;
  std::thread thread_;
  std::atomic<bool> accepting_{true};
  std::atomic<bool> closed_{false};
  std::function<void()> on_closed_;
};

}  // namespace zedge::server
