#include "test_pki.hpp"

#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace zedge::tls::testing {
namespace {

KeyPtr new_key() {
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) throw std::runtime_error("EVP_EC_gen failed");
  return key;
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) throw std::runtime_error("bad extension " + value);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

std::string pem_of(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  std::string text(data, static_cast<std::size_t>(length));
  BIO_free(bio);
  return text;
}

std::string pem_of(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  std::string text(data, static_cast<std::size_t>(length));
  BIO_free(bio);
  return text;
}

}  // namespace

TestPki::TestPki() : ca_key_(new_key()), ca_cert_(make_cert(ca_key_.get(), "zedge test CA", true)) {}

CertPtr TestPki::make_cert(EVP_PKEY* key, const std::string& common_name, bool is_ca) const {
  static long serial = 1;
  CertPtr cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                             -1, 0);
  X509* issuer = is_ca ? cert.get() : ca_cert_.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer));
  if (is_ca) {
    add_extension(cert.get(), issuer, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert.get(), issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_extension(cert.get(), issuer, NID_basic_constraints, "CA:FALSE");
    add_extension(cert.get(), issuer, NID_subject_alt_name, "DNS:" + common_name);
  }
  X509_sign(cert.get(), is_ca ? key : ca_key_.get(), EVP_sha256());
  return cert;
}

void TestPki::write_identity(const std::string& dir, const std::string& name, const std::string& common_name,
                             bool with_chain) const {
  const KeyPtr key = new_key();
  const CertPtr cert = make_cert(key.get(), common_name, false);
  std::string chain = pem_of(cert.get());
  if (with_chain) chain += pem_of(ca_cert_.get());
  replace_file(dir + "/" + name + ".key", pem_of(key.get()));
  replace_file(dir + "/" + name + ".crt", chain);
}

SSL_CTX* TestPki::new_client_context() const {
  SSL_CTX* context = SSL_CTX_new(TLS_client_method());
  X509_STORE_add_cert(SSL_CTX_get_cert_store(context), ca_cert_.get());
  SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
  return context;
}

void set_server_name(SSL* ssl, const std::string& name) {
  SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char*>(name.c_str()));
}

std::string common_name_of(const X509* cert) {
  if (cert == nullptr) return "";
  char text[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, text, sizeof text);
  return text;
}

void replace_file(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp";
  std::ofstream(temporary, std::ios::binary | std::ios::trunc) << text;
  if (std::rename(temporary.c_str(), path.c_str()) != 0) throw std::runtime_error("rename " + path);
}

std::string read_file(const std::string& path) {
  std::ostringstream text;
  text << std::ifstream(path, std::ios::binary).rdbuf();
  return text.str();
}

std::string make_temp_dir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base != nullptr ? base : "/tmp") + "/zedge-tls-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp");
  return pattern;
}

}  // namespace zedge::tls::testing
