// OpenSSL server contexts with Mozilla's "intermediate" profile: TLS 1.2
// and 1.3, forward-secret AEAD ciphers, no compression, no renegotiation, ALPN http/1.1.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <optional>
#include <string>

namespace zedge::tls {

struct SslCtxFree {
  void operator()(SSL_CTX* context) const { SSL_CTX_free(context); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;
// Shared between the store and handshakes in flight on any worker (SSL_CTX is refcounted
// and safe to use from several threads once configured).
using SharedSslCtx = std::shared_ptr<SSL_CTX>;

// A context with the profile applied and no certificate; nullptr if OpenSSL fails.
SslCtxPtr new_server_context();

// Loads `cert_path` (PEM, leaf first, then any chain) and `key_path` (PEM) into `context`
// and checks that they match. Returns the error text on failure.
std::optional<std::string> use_identity(SSL_CTX* context, const std::string& cert_path, const std::string& key_path);

// The text of OpenSSL's queued errors (oldest first), which it then clears.
std::string take_openssl_errors();

}  // namespace zedge::tls
