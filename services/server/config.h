// tokend's settings, each a flag with an environment-variable fallback
// (TOKEND_*), validated once at start-up.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "services/logging/log.h"

namespace tokend::server {

struct Config {
  std::string database_url;   // empty: run a private PostgreSQL under data_dir
  std::string data_dir;
  std::string grpc_addr;
  std::string admin_addr;
  std::string http_addr;
  std::string issuer;
  std::string admin_key;      // empty: generated into data_dir/admin.key
  std::string tls_cert;
  std::string tls_key;
  int executor_threads = 0;
  int db_pool_size = 0;
  int commit_writers = 0;
  int cache_ttl_seconds = 0;
  int cache_entries = 262144;
  int purge_interval_seconds = 0;
  int authorization_code_ttl_seconds = 60;
  int client_rate_limit = 50000;
  int drain_timeout_seconds = 0;
  // Password and client-secret guessing (services/token/guess_throttle.h).
  int guess_free_failures = 5;
  int guess_free_address_failures = 20;
  int guess_max_delay_seconds = 900;
  int guess_forget_seconds = 3600;
  // JWT access tokens.
  std::string key_encryption_key;  // base64 of 32 bytes; empty: data_dir/key-encryption.key
  std::string jwt_alg;             // ES256, EdDSA or RS256 (new signing keys)
  std::string jwt_audience;        // default aud; empty: the issuer
  int key_rotation_seconds = 0;    // 0: rotate only on request
  logging::Level log_level = logging::Level::kInfo;  // lines below it are not written
};

// Reads flags (already parsed) and environment; INVALID_ARGUMENT names the
// first bad setting.
absl::StatusOr<Config> LoadConfig();

}  // namespace tokend::server
