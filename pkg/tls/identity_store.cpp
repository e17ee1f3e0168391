#include "tls/identity_store.hpp"

#include "log/log.hpp"
#include "tls/server_name.hpp"

namespace zedge::tls {
namespace {
constexpr const char* kLog = "tls";
}  // namespace

IdentityStore::IdentityStore(std::string directory, std::chrono::milliseconds recheck_interval)
    : directory_(std::move(directory)), recheck_interval_(recheck_interval) {}

std::string IdentityStore::path_of(const std::string& name, const char* extension) const {
  return directory_ + "/" + name + extension;
}

SharedSslCtx IdentityStore::select(std::string_view server_name, std::string_view default_name) {
  for (const auto& name : identity_candidates(server_name, default_name)) {
    if (auto context = find(name)) return context;
  }
  return nullptr;
}

SharedSslCtx IdentityStore::find(const std::string& name) {
  const auto now = Clock::now();
  Entry known;
  bool have_known = false;
  {
    std::lock_guard lock(mutex_);
    if (const auto it = entries_.find(name); it != entries_.end()) {
      Entry& entry = it->second;
      if (entry.checking || now < entry.next_check) return entry.context;
      entry.checking = true;
      known = entry;
      have_known = true;
    }
  }
  return check_files(name, have_known ? &known : nullptr, now);
}

// Runs without the lock: stat both files and, if they changed, load them.
SharedSslCtx IdentityStore::check_files(const std::string& name, const Entry* known, Clock::time_point now) {
  const std::string cert_path = path_of(name, ".crt");
  const std::string key_path = path_of(name, ".key");
  // Stamped before reading: a write racing the load shows up as a change next time.
  const auto cert = stamp_of(cert_path);
  const auto key = stamp_of(key_path);
  if (!cert || !key) {
    std::lock_guard lock(mutex_);
    if (known != nullptr && known->context) LOG_INFO(kLog, "identity " << name << " removed from " << directory_);
    entries_.erase(name);
    return nullptr;
  }
  const bool unchanged = known != nullptr && known->cert == *cert && known->key == *key;
  SharedSslCtx loaded;
  std::string error;
  if (!unchanged) {
    if (auto context = new_server_context()) {
      if (auto failure = use_identity(context.get(), cert_path, key_path)) {
        error = std::move(*failure);
      } else {
        loaded = SharedSslCtx(context.release(), SSL_CTX_free);
      }
    } else {
      error = "cannot create an OpenSSL context: " + take_openssl_errors();
    }
  }
  std::lock_guard lock(mutex_);
  Entry& entry = entries_[name];
  entry.cert = *cert;
  entry.key = *key;
  entry.next_check = now + recheck_interval_;
  entry.checking = false;
  if (loaded) {
    LOG_INFO(kLog, (known != nullptr ? "reloaded" : "loaded") << " identity " << name << " from " << directory_);
    entry.context = std::move(loaded);
  } else if (!unchanged) {
    // Kept until the files change again: a half-written pair often completes a moment later.
    LOG_WARN(kLog, "identity " << name << " not loaded" << (entry.context ? " (keeping the previous one)" : "") << ": "
                               << error);
  }
  return entry.context;
}

}  // namespace zedge::tls
