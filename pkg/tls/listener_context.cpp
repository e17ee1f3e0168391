#include "tls/listener_context.hpp"

namespace zedge::tls {

std::variant<std::unique_ptr<ListenerContext>, std::string> ListenerContext::create(IdentityStore& store,
                                                                                    std::string default_name) {
  auto base = new_server_context();
  if (!base) return "cannot create an OpenSSL context: " + take_openssl_errors();
  std::unique_ptr<ListenerContext> context(new ListenerContext(store, std::move(default_name), std::move(base)));
  // The macro SSL_CTX_set_tlsext_servername_callback, without its C-style cast.
  SSL_CTX_callback_ctrl(context->base_.get(), SSL_CTRL_SET_TLSEXT_SERVERNAME_CB,
                        reinterpret_cast<void (*)()>(on_server_name));
  SSL_CTX_set_tlsext_servername_arg(context->base_.get(), context.get());
  return context;
}

ListenerContext::ListenerContext(IdentityStore& store, std::string default_name, SslCtxPtr base)
    : store_(store), default_name_(std::move(default_name)), base_(std::move(base)) {}

// OpenSSL (1.1.1 and later) calls this for every ClientHello, with or without SNI, before
// it picks a certificate; SSL_set_SSL_CTX takes its own reference to the identity's context,
// so a reload meanwhile does not pull it from under this connection.
int ListenerContext::on_server_name(SSL* ssl, int* alert, void* self) {
  auto& listener = *static_cast<ListenerContext*>(self);
  const char* server_name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  const auto identity = listener.store_.select(server_name != nullptr ? server_name : "", listener.default_name_);
  if (!identity) {
    *alert = SSL_AD_UNRECOGNIZED_NAME;
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  }
  SSL_set_SSL_CTX(ssl, identity.get());
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace zedge::tls
