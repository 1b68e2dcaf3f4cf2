#include "services/server/config.h"

#include <cstdlib>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/jwt/key_material.h"
#include "services/keys/key_encryption.h"

namespace {

std::string Env(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

int EnvInt(const char* name, int fallback) {
  int out = fallback;
  const char* v = std::getenv(name);
  if (v != nullptr && !absl::SimpleAtoi(v, &out)) out = -1;  // rejected by validation
  return out;
}

}  // namespace

ABSL_FLAG(std::string, database_url, Env("TOKEND_DATABASE_URL", ""),
          "PostgreSQL URL; empty runs a private cluster under --data_dir [TOKEND_DATABASE_URL]");
ABSL_FLAG(std::string, data_dir, Env("TOKEND_DATA_DIR", "./var/tokend"),
          "state directory (local PostgreSQL, generated admin key) [TOKEND_DATA_DIR]");
ABSL_FLAG(std::string, grpc_addr, Env("TOKEND_GRPC_ADDR", "127.0.0.1:50051"),
          "public gRPC listener (TokenService) [TOKEND_GRPC_ADDR]");
ABSL_FLAG(std::string, admin_addr, Env("TOKEND_ADMIN_ADDR", "127.0.0.1:50052"),
          "admin gRPC listener (AdminService) [TOKEND_ADMIN_ADDR]");
ABSL_FLAG(std::string, http_addr, Env("TOKEND_HTTP_ADDR", "127.0.0.1:8080"),
          "HTTP listener for the OAuth endpoints [TOKEND_HTTP_ADDR]");
ABSL_FLAG(std::string, issuer, Env("TOKEND_ISSUER", ""),
          "issuer identifier (default http(s)://<http_addr>) [TOKEND_ISSUER]");
ABSL_FLAG(std::string, admin_key, Env("TOKEND_ADMIN_KEY", ""),
          "admin API key; empty generates one into <data_dir>/admin.key [TOKEND_ADMIN_KEY]");
ABSL_FLAG(std::string, tls_cert, Env("TOKEND_TLS_CERT", ""),
          "PEM certificate chain; with --tls_key enables TLS on every listener [TOKEND_TLS_CERT]");
ABSL_FLAG(std::string, tls_key, Env("TOKEND_TLS_KEY", ""), "PEM private key [TOKEND_TLS_KEY]");
ABSL_FLAG(int, executor_threads, EnvInt("TOKEND_EXECUTOR_THREADS", 128),
          "threads for blocking ledger work [TOKEND_EXECUTOR_THREADS]");
ABSL_FLAG(int, db_pool_size, EnvInt("TOKEND_DB_POOL_SIZE", 16),
          "PostgreSQL connections [TOKEND_DB_POOL_SIZE]");
ABSL_FLAG(int, commit_writers, EnvInt("TOKEND_COMMIT_WRITERS", 1),
          "concurrent group-commit transactions for client_credentials tokens "
          "[TOKEND_COMMIT_WRITERS]");
ABSL_FLAG(int, cache_ttl_seconds, EnvInt("TOKEND_CACHE_TTL_SECONDS", 30),
          "how long token and client state may be served from memory [TOKEND_CACHE_TTL_SECONDS]");
ABSL_FLAG(int, cache_entries, EnvInt("TOKEND_CACHE_ENTRIES", 262144),
          "most token states held in memory [TOKEND_CACHE_ENTRIES]");
ABSL_FLAG(int, purge_interval_seconds, EnvInt("TOKEND_PURGE_INTERVAL_SECONDS", 300),
          "how often expired rows are purged [TOKEND_PURGE_INTERVAL_SECONDS]");
ABSL_FLAG(int, client_rate_limit, EnvInt("TOKEND_CLIENT_RATE_LIMIT", 50000),
          "requests per second each client may make to this replica unless the client sets its "
          "own; 0: unlimited [TOKEND_CLIENT_RATE_LIMIT]");
ABSL_FLAG(int, guess_free_failures, EnvInt("TOKEND_GUESS_FREE_FAILURES", 5),
          "failed passwords or client secrets per account or client before each attempt must "
          "wait (1 s, doubling) [TOKEND_GUESS_FREE_FAILURES]");
ABSL_FLAG(int, guess_free_address_failures, EnvInt("TOKEND_GUESS_FREE_ADDRESS_FAILURES", 20),
          "the same per source address [TOKEND_GUESS_FREE_ADDRESS_FAILURES]");
ABSL_FLAG(int, guess_max_delay_seconds, EnvInt("TOKEND_GUESS_MAX_DELAY_SECONDS", 900),
          "the longest wait after failures [TOKEND_GUESS_MAX_DELAY_SECONDS]");
ABSL_FLAG(int, guess_forget_seconds, EnvInt("TOKEND_GUESS_FORGET_SECONDS", 3600),
          "failures are forgotten after this long without one [TOKEND_GUESS_FORGET_SECONDS]");
ABSL_FLAG(int, authorization_code_ttl_seconds, EnvInt("TOKEND_AUTHORIZATION_CODE_TTL_SECONDS", 60),
          "lifetime of an authorization code, 1..60 [TOKEND_AUTHORIZATION_CODE_TTL_SECONDS]");
ABSL_FLAG(int, drain_timeout_seconds, EnvInt("TOKEND_DRAIN_TIMEOUT_SECONDS", 10),
          "how long in-flight calls may finish after SIGTERM [TOKEND_DRAIN_TIMEOUT_SECONDS]");
ABSL_FLAG(std::string, key_encryption_key, Env("TOKEND_KEY_ENCRYPTION_KEY", ""),
          "base64 of 32 bytes sealing the JWT signing keys in the ledger (the same on every "
          "replica); empty: generated into <data_dir>/key-encryption.key "
          "[TOKEND_KEY_ENCRYPTION_KEY]");
ABSL_FLAG(std::string, jwt_alg, Env("TOKEND_JWT_ALG", "ES256"),
          "algorithm of new JWT signing keys: ES256, EdDSA or RS256 [TOKEND_JWT_ALG]");
ABSL_FLAG(std::string, jwt_audience, Env("TOKEND_JWT_AUDIENCE", ""),
          "aud of JWT access tokens whose request names none (default: the issuer) "
          "[TOKEND_JWT_AUDIENCE]");
ABSL_FLAG(std::string, log_level, Env("TOKEND_LOG_LEVEL", "info"),
          "least severe log lines written: debug, info (adds one access line per request), "
          "warn or error [TOKEND_LOG_LEVEL]");
ABSL_FLAG(int, key_rotation_seconds, EnvInt("TOKEND_KEY_ROTATION_SECONDS", 0),
          "rotate the JWT signing key this often; 0 rotates only on request "
          "[TOKEND_KEY_ROTATION_SECONDS]");

namespace tokend::server {

absl::StatusOr<Config> LoadConfig() {
  Config c;
  c.database_url = absl::GetFlag(FLAGS_database_url);
  c.data_dir = absl::GetFlag(FLAGS_data_dir);
  c.grpc_addr = absl::GetFlag(FLAGS_grpc_addr);
  c.admin_addr = absl::GetFlag(FLAGS_admin_addr);
  c.http_addr = absl::GetFlag(FLAGS_http_addr);
  c.issuer = absl::GetFlag(FLAGS_issuer);
  c.admin_key = absl::GetFlag(FLAGS_admin_key);
  c.tls_cert = absl::GetFlag(FLAGS_tls_cert);
  c.tls_key = absl::GetFlag(FLAGS_tls_key);
  c.executor_threads = absl::GetFlag(FLAGS_executor_threads);
  c.db_pool_size = absl::GetFlag(FLAGS_db_pool_size);
  c.commit_writers = absl::GetFlag(FLAGS_commit_writers);
  c.cache_ttl_seconds = absl::GetFlag(FLAGS_cache_ttl_seconds);
  c.cache_entries = absl::GetFlag(FLAGS_cache_entries);
  c.purge_interval_seconds = absl::GetFlag(FLAGS_purge_interval_seconds);
  c.authorization_code_ttl_seconds = absl::GetFlag(FLAGS_authorization_code_ttl_seconds);
  c.client_rate_limit = absl::GetFlag(FLAGS_client_rate_limit);
  c.drain_timeout_seconds = absl::GetFlag(FLAGS_drain_timeout_seconds);
  c.guess_free_failures = absl::GetFlag(FLAGS_guess_free_failures);
  c.guess_free_address_failures = absl::GetFlag(FLAGS_guess_free_address_failures);
  c.guess_max_delay_seconds = absl::GetFlag(FLAGS_guess_max_delay_seconds);
  c.guess_forget_seconds = absl::GetFlag(FLAGS_guess_forget_seconds);
  c.key_encryption_key = absl::GetFlag(FLAGS_key_encryption_key);
  c.jwt_alg = absl::GetFlag(FLAGS_jwt_alg);
  c.jwt_audience = absl::GetFlag(FLAGS_jwt_audience);
  c.key_rotation_seconds = absl::GetFlag(FLAGS_key_rotation_seconds);
  auto level = logging::LevelFromName(absl::GetFlag(FLAGS_log_level));
  if (!level) return absl::InvalidArgumentError("log_level must be debug, info, warn or error");
  c.log_level = *level;

  if (c.data_dir.empty()) return absl::InvalidArgumentError("data_dir must not be empty");
  if (c.grpc_addr.empty() || c.admin_addr.empty()) {
    return absl::InvalidArgumentError("grpc_addr and admin_addr must be set");
  }
  if (c.tls_cert.empty() != c.tls_key.empty()) {
    return absl::InvalidArgumentError("tls_cert and tls_key go together");
  }
  if (c.executor_threads < 1 || c.executor_threads > 4096) {
    return absl::InvalidArgumentError("executor_threads must be 1..4096");
  }
  if (c.db_pool_size < 1 || c.db_pool_size > 256) {
    return absl::InvalidArgumentError("db_pool_size must be 1..256");
  }
  if (c.commit_writers < 1 || c.commit_writers >= c.db_pool_size) {
    return absl::InvalidArgumentError("commit_writers must be 1..db_pool_size-1");
  }
  if (c.cache_ttl_seconds < 0 || c.purge_interval_seconds < 1 || c.drain_timeout_seconds < 0) {
    return absl::InvalidArgumentError("cache/purge/drain durations must be non-negative");
  }
  if (c.cache_entries < 16) return absl::InvalidArgumentError("cache_entries must be >= 16");
  if (c.client_rate_limit < 0) return absl::InvalidArgumentError("client_rate_limit must be >= 0");
  if (c.guess_free_failures < 1 || c.guess_free_address_failures < 1 ||
      c.guess_max_delay_seconds < 1 || c.guess_forget_seconds < c.guess_max_delay_seconds) {
    return absl::InvalidArgumentError(
        "guess_free_failures and guess_free_address_failures must be >= 1, "
        "guess_max_delay_seconds >= 1, guess_forget_seconds >= guess_max_delay_seconds");
  }
  if (c.authorization_code_ttl_seconds < 1 || c.authorization_code_ttl_seconds > 60) {
    return absl::InvalidArgumentError("authorization_code_ttl_seconds must be 1..60");
  }
  if (!c.admin_key.empty() && c.admin_key.size() < 16) {
    return absl::InvalidArgumentError("admin_key must be at least 16 characters");
  }
  if (!jwt::AlgorithmFromName(c.jwt_alg)) {
    return absl::InvalidArgumentError("jwt_alg must be ES256, EdDSA or RS256");
  }
  if (!c.key_encryption_key.empty() && !keys::KeyEncryptionKey::FromBase64(c.key_encryption_key).ok()) {
    return absl::InvalidArgumentError("key_encryption_key must be base64 of 32 bytes");
  }
  if (c.key_rotation_seconds < 0) {
    return absl::InvalidArgumentError("key_rotation_seconds must not be negative");
  }
  if (c.issuer.empty()) {
    c.issuer = absl::StrCat(c.tls_cert.empty() ? "http://" : "https://", c.http_addr);
  }
  return c;
}

}  // namespace tokend::server
