// The identities of --tls-identities-dir: `<dir>/<name>.crt` (PEM, may hold a chain) and
// `<dir>/<name>.key`, each loaded into its own SSL_CTX on first use and loaded again when
// either file changes on disk, so certificates are replaced without a restart.
// Shared by every worker: lookups take a short lock; files are stat'ed at most once
// per recheck interval per identity and read outside the lock, so a reload never holds up
// other handshakes (they keep using the previous context meanwhile).
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "tls/file_stamp.hpp"
#include "tls/server_profile.hpp"

namespace zedge::tls {

class IdentityStore {
 public:
  using Clock = std::chrono::steady_clock;
  // Condure stats on every lookup; once a second is as prompt for an operator replacing a
  // certificate and keeps two stat calls off most handshakes.
  static constexpr std::chrono::milliseconds kRecheckInterval{1000};

  explicit IdentityStore(std::string directory, std::chrono::milliseconds recheck_interval = kRecheckInterval);

  // The context for identity `name`, current as of the last check; nullptr when its files
  // are missing or have never loaded (a broken replacement keeps the previous context).
  SharedSslCtx find(const std::string& name);
  // The first usable identity among identity_candidates(server_name, default_name).
  SharedSslCtx select(std::string_view server_name, std::string_view default_name);

  const std::string& directory() const { return directory_; }

 private:
  struct Entry {
    SharedSslCtx context;  // nullptr: the files as stamped did not load
    FileStamp cert;
    FileStamp key;
    Clock::time_point next_check;
    bool checking = false;  // one thread is looking at the files; others use `context`
  };

  SharedSslCtx check_files(const std::string& name, const Entry* known, Clock::time_point now);
  std::string path_of(const std::string& name, const char* extension) const;

  const std::string directory_;
  const std::chrono::milliseconds recheck_interval_;
  std::mutex mutex_;
  // Only names whose files exist get an entry, so SNI values made up by clients cannot
  // grow it.
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace zedge::tls
