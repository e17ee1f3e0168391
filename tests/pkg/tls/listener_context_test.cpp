// Whole handshakes in memory: a client SSL and a server SSL from a ListenerContext joined
// by a BIO pair, so SNI selection, ALPN and the profile are checked without sockets.
#include "tls/listener_context.hpp"

#include <gtest/gtest.h>
#include <openssl/err.h>

#include <filesystem>

#include "test_pki.hpp"

namespace zedge::tls {
namespace {

using testing::common_name_of;
using testing::make_temp_dir;
using testing::TestPki;

struct Outcome {
  bool ok = false;
  std::string served;  // CN of the certificate the client got
  std::string alpn;
  int version = 0;
};

struct HandshakeOptions {
  std::string server_name;  // empty: no SNI
  std::vector<std::string> alpn = {};
  int client_max_version = 0;
};

HandshakeOptions sni(std::string name, std::vector<std::string> alpn = {}, int client_max_version = 0) {
  return HandshakeOptions{std::move(name), std::move(alpn), client_max_version};
}

class ListenerContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pki().write_identity(dir_, "a.test", "a.test");
    pki().write_identity(dir_, "b.test", "b.test");
    pki().write_identity(dir_, "_.wild.test", "*.wild.test");
    pki().write_identity(dir_, "default_8443", "default");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  static const TestPki& pki() {
    static const TestPki instance;
    return instance;
  }

  Outcome handshake(ListenerContext& listener, const HandshakeOptions& options) const {
    SSL_CTX* client_context = pki().new_client_context();
    if (options.client_max_version != 0) SSL_CTX_set_max_proto_version(client_context, options.client_max_version);
    SSL* client = SSL_new(client_context);
    SSL* server = listener.new_ssl();
    BIO* client_bio = nullptr;
    BIO* server_bio = nullptr;
    BIO_new_bio_pair(&client_bio, 0, &server_bio, 0);
    SSL_set_bio(client, client_bio, client_bio);
    SSL_set_bio(server, server_bio, server_bio);
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    if (!options.server_name.empty()) testing::set_server_name(client, options.server_name);
    if (!options.alpn.empty()) {
      std::string wire;
      for (const auto& protocol : options.alpn) wire += static_cast<char>(protocol.size()) + protocol;
      SSL_set_alpn_protos(client, reinterpret_cast<const unsigned char*>(wire.data()),
                          static_cast<unsigned int>(wire.size()));
    }
    Outcome outcome;
    bool client_done = false;
    bool server_done = false;
    for (int round = 0; round < 20 && !(client_done && server_done); ++round) {
      if (!client_done) {
        const int r = SSL_do_handshake(client);
        if (r == 1)
          client_done = true;
        else if (SSL_get_error(client, r) != SSL_ERROR_WANT_READ)
          break;
      }
      if (!server_done) {
        const int r = SSL_do_handshake(server);
        if (r == 1)
          server_done = true;
        else if (SSL_get_error(server, r) != SSL_ERROR_WANT_READ)
          break;
      }
    }
    ERR_clear_error();
    outcome.ok = client_done && server_done && SSL_get_verify_result(client) == X509_V_OK;
    if (outcome.ok) {
      outcome.served = common_name_of(SSL_get0_peer_certificate(client));
      const unsigned char* selected = nullptr;
      unsigned int length = 0;
      SSL_get0_alpn_selected(client, &selected, &length);
      outcome.alpn.assign(reinterpret_cast<const char*>(selected), length);
      outcome.version = SSL_version(client);
    }
    SSL_free(client);
    SSL_free(server);
    SSL_CTX_free(client_context);
    return outcome;
  }

  std::unique_ptr<ListenerContext> listener(IdentityStore& store, std::string default_name) const {
    auto created = ListenerContext::create(store, std::move(default_name));
    return std::move(std::get<std::unique_ptr<ListenerContext>>(created));
  }

  std::string dir_ = make_temp_dir();
};

TEST_F(ListenerContextTest, ServerNamePicksTheIdentity) {
  IdentityStore store(dir_);
  auto tls = listener(store, "default_8443");
  EXPECT_EQ(handshake(*tls, sni("a.test")).served, "a.test");
  EXPECT_EQ(handshake(*tls, sni("b.test")).served, "b.test");
  EXPECT_EQ(handshake(*tls, sni("x.wild.test")).served, "*.wild.test");
  EXPECT_EQ(handshake(*tls, sni("other.test")).served, "default");
  EXPECT_EQ(handshake(*tls, sni("")).served, "default");
}

TEST_F(ListenerContextTest, NoIdentityFailsTheHandshake) {
  IdentityStore store(dir_);
  auto tls = listener(store, "");
  EXPECT_TRUE(handshake(*tls, sni("a.test")).ok);
  EXPECT_FALSE(handshake(*tls, sni("other.test")).ok);
  EXPECT_FALSE(handshake(*tls, sni("")).ok);
  auto missing_default = listener(store, "default_9999");
  EXPECT_FALSE(handshake(*missing_default, sni("")).ok);
}

TEST_F(ListenerContextTest, AlpnIsHttp11Only) {
  IdentityStore store(dir_);
  auto tls = listener(store, "default_8443");
  EXPECT_EQ(handshake(*tls, sni("a.test", {"h2", "http/1.1"})).alpn, "http/1.1");
  const auto h2_only = handshake(*tls, sni("a.test", {"h2"}));
  EXPECT_TRUE(h2_only.ok);
  EXPECT_EQ(h2_only.alpn, "");
  EXPECT_EQ(handshake(*tls, sni("a.test")).alpn, "");
}

TEST_F(ListenerContextTest, ModernProfile) {
  IdentityStore store(dir_);
  auto tls = listener(store, "default_8443");
  EXPECT_EQ(handshake(*tls, sni("a.test")).version, TLS1_3_VERSION);
  EXPECT_EQ(handshake(*tls, sni("a.test", {}, TLS1_2_VERSION)).version, TLS1_2_VERSION);
  EXPECT_FALSE(handshake(*tls, sni("a.test", {}, TLS1_1_VERSION)).ok);
}

TEST_F(ListenerContextTest, ReplacedIdentityIsServedToNewHandshakes) {
  IdentityStore store(dir_, std::chrono::milliseconds(0));
  auto tls = listener(store, "");
  EXPECT_EQ(handshake(*tls, sni("a.test")).served, "a.test");
  pki().write_identity(dir_, "a.test", "a.test-renewed");
  EXPECT_EQ(handshake(*tls, sni("a.test")).served, "a.test-renewed");
}

}  // namespace
}  // namespace zedge::tls
