// A throwaway certificate authority for the tests: EC P-256 keys, a CA, and leaf
// certificates written as <dir>/<name>.crt/.key the way --tls-identities-dir holds them.
#pragma once

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <vector>

namespace zedge::tls::testing {

struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertFree {
  void operator()(X509* cert) const { X509_free(cert); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;
using CertPtr = std::unique_ptr<X509, CertFree>;

class TestPki {
 public:
  TestPki();
  // Writes <dir>/<name>.crt (the leaf for `common_name`, then the CA when `with_chain`) and
  // <dir>/<name>.key.
  void write_identity(const std::string& dir, const std::string& name, const std::string& common_name,
                      bool with_chain = false) const;
  // A client context that trusts only this CA.
  SSL_CTX* new_client_context() const;
  X509* ca() const { return ca_cert_.get(); }

 private:
  CertPtr make_cert(EVP_PKEY* key, const std::string& common_name, bool is_ca) const;

  KeyPtr ca_key_;
  CertPtr ca_cert_;
};

// SSL_set_tlsext_host_name without the macro's C-style cast.
void set_server_name(SSL* ssl, const std::string& name);
// The subject CN of a certificate ("" if none).
std::string common_name_of(const X509* cert);
// Writes `text` to `path` through a temporary file and rename, as deploy tools do.
void replace_file(const std::string& path, const std::string& text);
std::string read_file(const std::string& path);
// A fresh directory under the test temp dir.
std::string make_temp_dir();

}  // namespace zedge::tls::testing
