// The TLS side of one listener: a context with no certificate of its own whose SNI
// callback picks the identity for each handshake from the store (exact name, wildcard,
// then this listener's default-cert) and switches the connection to that identity's
// context. No identity: the handshake fails with an unrecognized_name alert.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>
#include <variant>

#include "tls/identity_store.hpp"
#include "tls/server_profile.hpp"

namespace zedge::tls {

class ListenerContext {
 public:
  // The store must outlive the context and every connection made from it.
  static std::variant<std::unique_ptr<ListenerContext>, std::string> create(IdentityStore& store,
                                                                            std::string default_name);
  ListenerContext(const ListenerContext&) = delete;
  ListenerContext& operator=(const ListenerContext&) = delete;

  // A server-side SSL for one accepted connection; nullptr if OpenSSL is out of memory.
  SSL* new_ssl() const { return SSL_new(base_.get()); }
  const std::string& default_name() const { return default_name_; }
  IdentityStore& store() { return store_; }

 private:
  ListenerContext(IdentityStore& store, std::string default_name, SslCtxPtr base);
  static int on_server_name(SSL* ssl, int* alert, void* self);

  IdentityStore& store_;
  const std::string default_name_;
  SslCtxPtr base_;
};

}  // namespace zedge::tls
