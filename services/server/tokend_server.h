// Wires tokend together: ledger, core, gRPC listeners (and the HTTP bridge),
// background purge, and orderly shutdown. main() only parses and calls this.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/keys/key_encryption.h"
#include "services/server/config.h"

namespace tokend::server {

class TokendServer {
 public:
  explicit TokendServer(Config config);
  ~TokendServer();

  // Starts the ledger (a private cluster if no URL), migrates, and opens the
  // listeners. Fails with a clear message if any step fails.
  absl::Status Start();

  // Graceful stop: refuse new calls, let in-flight ones finish within the
  // drain timeout, flush the group-commit writer, stop the private cluster.
  void Shutdown();

 private:
  struct Parts;
  absl::Status StartLedger();
  absl::Status LoadAdminKey();
  // TOKEND_KEY_ENCRYPTION_KEY, else <data_dir>/key-encryption.key (created
  // 0600 on first run).
  absl::StatusOr<keys::KeyEncryptionKey> LoadKeyEncryptionKey();
  // The key manager and the access-token formats.
  absl::Status StartKeys();
  void RegisterMetrics();
  void PurgeLoop();
  // One run of the "purge_expired" job: tokens in batches, then codes.
  void PurgeOnce();

  Config config_;
  std::unique_ptr<Parts> parts_;
  std::thread purge_thread_;
  std::mutex purge_mu_;
  std::condition_variable purge_cv_;
  bool stopping_ = false;
};

}  // namespace tokend::server
