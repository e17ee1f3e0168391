// The I/O shell around one session: owns the client socket and the unparsed input,
// feeds the session what arrives, writes what it produces, and closes when it says so.
// All protocol decisions live in the session's phase (pkg/session, sans-I/O): HTTP first,
// WebSocket after an accepted upgrade, when the connection swaps one phase for the next.
// On a tls listener the same loop runs through a tls::Channel after a handshake with a
// deadline. Its worker is
// seen only as a ConnectionHost, so the loop can be tested with a fake one.
#pragma once

#include <asio.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "metrics/metric_labels.hpp"
#include "server/connection_host.hpp"
#include "server/connection_settings.hpp"
#include "session/http_session.hpp"

namespace zedge::server {

class HttpConnection : public std::enable_shared_from_this<HttpConnection>, private session::PacketSink {
 public:
  using Socket = asio::generic::stream_protocol::socket;

  // `tls` is the listener's context on tls listeners, else nullptr.
  HttpConnection(ConnectionHost& host, std::uint32_t slot, Socket socket, const session::SessionSettings& settings,
                 PeerInfo peer, tls::ListenerContext* tls);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;
  // What a connection on a tls listener holds beyond a plain one (for --sizes).
  static std::size_t tls_state_size_bytes();

  void start();
  const std::string& request_id() const { return session_->request_id(); }
  session::SessionPhase& session() { return *session_; }
  session::Mode mode() const { return mode_; }
  void on_handler_packet(const zhttp::Packet& packet, const zhttp::IdSeq& addressed);
  // Called by the worker's periodic sweep with the time.
  void on_tick(session::Clock::time_point now);
  // Process shutdown: close now, telling the handler of an open session.
  void shutdown();
  // The handler sent something unusable for this session: close (no cancel).
  void abort_protocol_error();
  // The handler of this session cannot be reached any more (its identity left the ROUTER).
  void on_handler_unreachable();
  // The host's queue toward the bridge has room again.
  void resume_reading();
  // Graceful drain: responses get `Connection: close`, the connection closes when quiet.
  void set_draining(bool draining);
  // The drain deadline (or an immediate WebSocket drain): close 1001, 503 for a request
  // not answered yet, a started response cut.
  void go_away();
  // Requests on this connection get 503 (it was taken past the connection limit).
  void refuse_requests();

 private:
  void send_packet(session::Route route, std::string_view address, std::string frame) override;

  void want_read();
  void on_readable(const asio::error_code& ec);
  void after_event();
  void flush();
  void on_written(const asio::error_code& ec, std::size_t ticket);
  void finish();
  void linger();
  void close_socket();

  // TLS (http_connection_tls.cpp). A lingering connection reads and drops raw bytes.
  struct TlsState;
  static std::unique_ptr<TlsState> new_tls_state(tls::ListenerContext& listener, int fd, const PeerInfo& peer,
                                                 const session::SessionSettings& settings);
  bool tls_reading() const { return tls_ && !lingering_; }
  void continue_handshake();
  void fail_handshake(std::string_view reason, metrics::CloseKind kind = metrics::CloseKind::TlsHandshakeFailed);
  void on_handshake_tick(session::Clock::time_point now);
  void want_tls_read();
  std::size_t tls_read(char* data, std::size_t size, asio::error_code& ec);
  void start_tls_write(std::size_t ticket);
  void write_tls();
  void tls_close_notify();

  ConnectionHost& host_;
  const std::uint32_t slot_;
  Socket socket_;
  // Only on tls listeners, so a plain connection pays one pointer for TLS.
  std::unique_ptr<TlsState> tls_;
  const session::Mode mode_;
  std::unique_ptr<session::SessionPhase> session_;

  std::string in_;  // client bytes not yet consumed by the session (at most --buffer-size)
  std::string out_writing_;
  bool reading_ = false;
  bool writing_ = false;
  bool client_eof_ = false;
  bool finished_ = false;
  bool waiting_for_room_ = false;
  bool active_since_tick_ = false;     // bytes moved since the last sweep tick
  bool counted_as_websocket_ = false;  // metrics: the upgrade was counted
  bool handshaking_ = false;           // tls: the session starts once the handshake is done
  // After an error response: stop sending, read and drop what the client still sends for
  // a moment, so closing with unread input does not reset the connection and destroy the
  // response before the client read it (RFC 9112 §9.6).
  bool lingering_ = false;
  session::Clock::time_point linger_deadline_;
};

}  // namespace zedge::server
