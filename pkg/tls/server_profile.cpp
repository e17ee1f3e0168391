#include "tls/server_profile.hpp"

#include <openssl/err.h>

#include <cstring>

namespace zedge::tls {
namespace {

// https://ssl-config.mozilla.org/ "intermediate" (guidelines v5.7).
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305";
constexpr const char* kTls13Suites = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
constexpr const char* kGroups = "X25519:prime256v1:secp384r1";
// Sessions resumed on one listener's contexts only (OpenSSL refuses resumption without it).
constexpr unsigned char kSessionIdContext[] = "zedge";

// HTTP/1.1 only, as Condure: pick it when offered; a client offering only h2 gets no
// ALPN answer (RFC 7301 §3.2 allows that) and may still speak HTTP/1.1.
int select_alpn(SSL*, const unsigned char** out, unsigned char* out_length, const unsigned char* in,
                unsigned int in_length, void*) {
  static constexpr unsigned char kHttp11[] = "http/1.1";
  constexpr std::size_t kHttp11Length = sizeof kHttp11 - 1;
  for (unsigned int i = 0; i < in_length;) {
    const unsigned int length = in[i];
    if (i + 1 + length > in_length) break;
    if (length == kHttp11Length && std::memcmp(in + i + 1, kHttp11, kHttp11Length) == 0) {
      *out = in + i + 1;
      *out_length = static_cast<unsigned char>(length);
      return SSL_TLSEXT_ERR_OK;
    }
    i += 1 + length;
  }
  return SSL_TLSEXT_ERR_NOACK;
}

}  // namespace

std::string take_openssl_errors() {
  std::string text;
  while (const unsigned long code = ERR_get_error()) {
    char line[256];
    ERR_error_string_n(code, line, sizeof line);
    if (!text.empty()) text += "; ";
    text += line;
  }
  return text.empty() ? "unknown OpenSSL error" : text;
}

SslCtxPtr new_server_context() {
  SslCtxPtr context(SSL_CTX_new(TLS_server_method()));
  if (!context) return nullptr;
  SSL_CTX* c = context.get();
  const bool ok = SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION) == 1 &&
                  SSL_CTX_set_cipher_list(c, kTls12Ciphers) == 1 && SSL_CTX_set_ciphersuites(c, kTls13Suites) == 1 &&
                  SSL_CTX_ctrl(c, SSL_CTRL_SET_GROUPS_LIST, 0, const_cast<char*>(kGroups)) == 1 &&
                  SSL_CTX_set_dh_auto(c, 1) == 1 &&
                  SSL_CTX_set_session_id_context(c, kSessionIdContext, sizeof kSessionIdContext - 1) == 1;
  if (!ok) return nullptr;
  // Clients that just close (no close_notify) are normal for HTTP: an EOF, not an error.
  SSL_CTX_set_options(c, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_IGNORE_UNEXPECTED_EOF);
  // RELEASE_BUFFERS: an idle connection keeps no 16 KB record buffers.
  // Partial and moving writes: the connection retries a write from where it stopped.
  SSL_CTX_set_mode(c, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_alpn_select_cb(c, select_alpn, nullptr);
  return context;
}

std::optional<std::string> use_identity(SSL_CTX* context, const std::string& cert_path, const std::string& key_path) {
  ERR_clear_error();
  if (SSL_CTX_use_certificate_chain_file(context, cert_path.c_str()) != 1) {
    return cert_path + ": " + take_openssl_errors();
  }
  if (SSL_CTX_use_PrivateKey_file(context, key_path.c_str(), SSL_FILETYPE_PEM) != 1) {
    return key_path + ": " + take_openssl_errors();
  }
  if (SSL_CTX_check_private_key(context) != 1) {
    return key_path + " does not match " + cert_path + ": " + take_openssl_errors();
  }
  return std::nullopt;
}

}  // namespace zedge::tls
