// The JWT signing keys of this replica: generates them, keeps them in the
// ledger sealed under the key-encryption key, picks the active one, rotates
// (on request or on an interval) so that concurrent replicas agree, reloads
// every few seconds and on an unknown kid, and publishes every key until the
// tokens it signed have expired.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/jwt/jwk.h"
#include "services/jwt/jwt_signer.h"
#include "services/keys/key_encryption.h"
#include "services/metrics/job.h"
#include "storage/ledger.h"

namespace tokend::keys {

struct KeyManagerOptions {
  jwt::Algorithm algorithm = jwt::Algorithm::kES256;  // of new keys
  absl::Duration rotation_interval = absl::ZeroDuration();  // zero: only on request
  absl::Duration reload_interval = absl::Seconds(5);
  // How long past the longest access-token lifetime a retired key stays
  // published (covers replicas still signing until their next reload).
  absl::Duration publish_margin = absl::Minutes(10);
  // Unknown-kid reloads happen at most this often (whatever the periodic
  // reloads do), so a flood of made-up kids costs a few cheap queries a
  // second while a real new kid is picked up at once.
  absl::Duration unknown_kid_reload_interval = absl::Milliseconds(250);
};

// The published keys at one moment. `generation` changes whenever the set
// of kids does.
struct PublishedKeys {
  uint64_t generation = 0;
  jwt::KeySet keys;
  std::string jwks_json;  // RFC 7517 document of `keys`
};

class KeyManager {
 public:
  KeyManager(storage::KeyStore& store, KeyEncryptionKey kek, KeyManagerOptions options);
  ~KeyManager();  // Stop()
  KeyManager(const KeyManager&) = delete;
  KeyManager& operator=(const KeyManager&) = delete;

  // Loads the keys, creating the first one when none is active, then reloads
  // in the background. UNAVAILABLE when the ledger is down. An active key
  // that does not open with this KEK is logged, not an error: the replica
  // verifies JWTs but mints none (ActiveKey() is null) until the KEK is fixed.
  absl::Status Start();
  void Stop();

  // What new tokens are signed with; null when no key can be used.
  std::shared_ptr<const jwt::JwtSigner> ActiveSigner() const;
  std::shared_ptr<const jwt::JwtKey> ActiveKey() const;
  // Never null (an empty set before Start).
  std::shared_ptr<const PublishedKeys> Published() const;

  // Reads the keys from the ledger now. Blocking.
  absl::Status Reload();
  // Reload() for a token naming a kid we do not know, unless one ran within
  // unknown_kid_reload_interval. True when it reloaded successfully.
  bool ReloadForUnknownKid();

  // Makes a new active key at once (or adopts the one another replica made
  // concurrently); returns it. Blocking.
  absl::StatusOr<storage::SigningKeyRecord> Rotate();
  // The published keys as ledger rows, newest first. Blocking.
  absl::StatusOr<std::vector<storage::SigningKeyRecord>> ListKeys();

  // Every rotation (first key, interval, on request), for /metrics.
  const metrics::Job& rotation_job() const { return rotation_job_; }

 private:
  absl::StatusOr<storage::SigningKeyRecord> NewKey() const;
  // RotateKey from `expected` ("" = none active); then Reload().
  absl::Status RotateFrom(const std::string& expected);  // one "key_rotation" job run
  absl::Status RotateFromLogged(const std::string& expected, metrics::Job::Run& run);
  absl::StatusOr<std::shared_ptr<const jwt::JwtSigner>> OpenPrivate(
      const storage::SigningKeyRecord& r);
  void Loop();

  storage::KeyStore& store_;
  KeyEncryptionKey kek_;
  KeyManagerOptions options_;
  metrics::Job rotation_job_{"key_rotation"};

  mutable std::mutex mu_;  // the snapshots below
  std::shared_ptr<const jwt::JwtSigner> active_;
  std::shared_ptr<const PublishedKeys> published_;
  std::string active_kid_;
  absl::Time active_created_;

  std::mutex reload_mu_;  // one reload at a time; the caches below
  absl::Time last_unknown_kid_reload_ = absl::InfinitePast();
  std::map<std::string, jwt::JwtKey> public_cache_;
  std::map<std::string, std::shared_ptr<const jwt::JwtSigner>> private_cache_;
  std::string unopenable_kid_;  // logged once

  std::mutex loop_mu_;
  std::condition_variable loop_cv_;
  bool stopping_ = false;
  std::thread loop_;
};

}  // namespace tokend::keys
