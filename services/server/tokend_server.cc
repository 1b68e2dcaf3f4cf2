#include "services/server/tokend_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <fcntl.h>
#include <grpcpp/health_check_service_interface.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/admin/client_registry.h"
#include "services/authorization/authorization_service.h"
#include "services/admin/user_registry.h"
#include "services/common/bounded_executor.h"
#include "services/common/secrets.h"
#include "services/grpc/admin_grpc_service.h"
#include "services/grpc/metrics_interceptor.h"
#include "services/grpc/token_grpc_service.h"
#include "services/http/authorize_endpoints.h"
#include "services/http/http_bridge.h"
#include "services/keys/key_manager.h"
#include "services/logging/log.h"
#include "services/metrics/job.h"
#include "services/metrics/metrics.h"
#include "services/token/grants/authorization_code_grant.h"
#include "services/server/identity_parts.h"
#include "services/token/grants/client_credentials_grant.h"
#include "services/token/grants/password_grant.h"
#include "services/token/grants/refresh_token_grant.h"
#include "services/token/token_format/jwt_format.h"
#include "services/token/token_format/opaque_format.h"
#include "services/token/token_service.h"
#include "storage/postgres/change_feed.h"
#include "storage/postgres/connection_pool.h"
#include "storage/postgres/group_commit_writer.h"
#include "storage/postgres/local_cluster.h"
#include "storage/postgres/migrator.h"
#include "storage/postgres/pg_admin_store.h"
#include "storage/postgres/pg_audit_log.h"
#include "storage/postgres/pg_authorization_store.h"
#include "storage/postgres/pg_client_store.h"
#include "storage/postgres/pg_key_store.h"
#include "storage/postgres/pg_token_store.h"
#include "storage/postgres/pg_user_store.h"

namespace tokend::server {
namespace fs = std::filesystem;
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

// Everything with a lifetime, in construction order (destroyed in reverse).
struct TokendServer::Parts {
  metrics::Registry metrics;  // first: outlives everything that reports to it
  metrics::Job migrate_job{"migrate"};
  metrics::Job purge_job{"purge_expired", /*quiet_when_idle=*/true};
  TokenMetrics token_metrics;
  grpc_adapter::GrpcMetrics grpc_metrics;
  std::unique_ptr<storage::pg::LocalCluster> cluster;
  std::unique_ptr<storage::pg::ConnectionPool> pool;
  std::unique_ptr<storage::pg::GroupCommitWriter> writer;
  std::unique_ptr<storage::pg::PgClientStore> clients;
  std::unique_ptr<storage::pg::PgUserStore> users;
  std::unique_ptr<storage::pg::PgTokenStore> tokens;
  std::unique_ptr<storage::pg::PgKeyStore> key_store;
  std::unique_ptr<storage::pg::PgAuthorizationStore> authorization_store;
  std::unique_ptr<storage::pg::PgAdminStore> admin_store;  // audit queries, revoke-all
  std::unique_ptr<storage::pg::PgAuditLog> audit_writer;  // lockouts, rate limits
  std::unique_ptr<GuessThrottle> guess_throttle;       // logins, passwords, client secrets
  std::unique_ptr<RateLimitReporter> rate_limit_reporter;
  std::unique_ptr<keys::KeyManager> key_manager;
  std::unique_ptr<OpaqueFormat> opaque_format;
  std::unique_ptr<JwtFormat> jwt_format;
  std::unique_ptr<TokenFormats> formats;
  std::unique_ptr<TokenCache> cache;
  std::unique_ptr<ClientAuthenticator> authenticator;
  std::unique_ptr<storage::pg::ChangeFeed> change_feed;  // other replicas' revocations
  std::unique_ptr<PasswordHasher> hasher;
  std::unique_ptr<TokenIssuer> issuer;
  std::unique_ptr<TokenService> core;
  std::unique_ptr<ClientRegistry> client_registry;
  std::unique_ptr<UserRegistry> user_registry;
  std::unique_ptr<AuditLog> audit_log;
  std::unique_ptr<TokenInventory> token_inventory;
  std::unique_ptr<AuthorizationService> authorization;
  std::unique_ptr<BoundedExecutor> executor;
  std::unique_ptr<grpc_adapter::TokenGrpcService> token_grpc;
  std::unique_ptr<IdentityParts> identity;  // roles, badges, /api, IdentityService
  std::unique_ptr<grpc_adapter::AdminGrpcService> admin_grpc;
  std::unique_ptr<grpc::Server> public_server;
  std::unique_ptr<grpc::Server> admin_server;
  std::unique_ptr<http::HttpBridge> http;
};

TokendServer::TokendServer(Config config) : config_(std::move(config)), parts_(new Parts) {}

TokendServer::~TokendServer() { Shutdown(); }

absl::Status TokendServer::StartLedger() {
  if (config_.database_url.empty()) {
    logging::Info("no database URL: starting a private PostgreSQL").Str("dir", config_.data_dir);
    storage::pg::LocalCluster::Options opts;
    opts.dir = config_.data_dir;
    auto cluster = storage::pg::LocalCluster::Start(opts);
    if (!cluster.ok()) return cluster.status();
    parts_->cluster = *std::move(cluster);
    config_.database_url = parts_->cluster->Dsn();
  }
  auto applied = storage::pg::Migrate(config_.database_url, &parts_->migrate_job);
  if (!applied.ok()) {
    return absl::UnavailableError(
        absl::StrCat("cannot migrate the ledger: ", applied.status().message()));
  }
  return absl::OkStatus();
}

absl::Status TokendServer::LoadAdminKey() {
  if (!config_.admin_key.empty()) return absl::OkStatus();
  std::string path = (fs::path(config_.data_dir) / "admin.key").string();
  if (auto key = ReadFile(path); key.ok() && !key->empty()) {
    config_.admin_key = std::string(absl::StripAsciiWhitespace(*key));
    logging::Info("admin key read from file").Str("path", path);
    return absl::OkStatus();
  }
  config_.admin_key = secrets::NewToken("tdk_");
  std::error_code ec;
  fs::create_directories(config_.data_dir, ec);
  {
    std::ofstream out(path, std::ios::trunc);
    if (!out) return absl::FailedPreconditionError(absl::StrCat("cannot write ", path));
    out << config_.admin_key << "\n";
  }
  chmod(path.c_str(), 0600);
  logging::Info("generated an admin key (TOKEND_ADMIN_KEY was not set)").Str("path", path);
  return absl::OkStatus();
}

absl::StatusOr<keys::KeyEncryptionKey> TokendServer::LoadKeyEncryptionKey() {
  if (!config_.key_encryption_key.empty()) {
    return keys::KeyEncryptionKey::FromBase64(config_.key_encryption_key);
  }
  std::string path = (fs::path(config_.data_dir) / "key-encryption.key").string();
  if (auto text = ReadFile(path); text.ok() && !text->empty()) {
    auto kek = keys::KeyEncryptionKey::FromBase64(absl::StripAsciiWhitespace(*text));
    if (!kek.ok()) return absl::FailedPreconditionError(absl::StrCat(path, " is not base64 of 32 bytes"));
    logging::Info("key-encryption key read from file").Str("path", path);
    return kek;
  }
  keys::KeyEncryptionKey kek = keys::KeyEncryptionKey::Generate();
  std::error_code ec;
  fs::create_directories(config_.data_dir, ec);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  std::string line = kek.ToBase64() + "\n";
  if (fd < 0 || ::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
    if (fd >= 0) ::close(fd);
    return absl::FailedPreconditionError(absl::StrCat("cannot write ", path));
  }
  ::close(fd);
  logging::Info(
      "generated a key-encryption key (TOKEND_KEY_ENCRYPTION_KEY was not set); every replica "
      "sharing this ledger needs the same one")
      .Str("path", path);
  return kek;
}

absl::Status TokendServer::StartKeys() {
  Parts& p = *parts_;
  auto kek = LoadKeyEncryptionKey();
  if (!kek.ok()) return kek.status();
  keys::KeyManagerOptions opts;
  opts.algorithm = *jwt::AlgorithmFromName(config_.jwt_alg);
  opts.rotation_interval = absl::Seconds(config_.key_rotation_seconds);
  p.key_store = std::make_unique<storage::pg::PgKeyStore>(*p.pool);
  p.key_manager = std::make_unique<keys::KeyManager>(*p.key_store, *std::move(kek), opts);
  if (auto st = p.key_manager->Start(); !st.ok()) {
    return absl::UnavailableError(absl::StrCat("cannot load the JWT signing keys: ", st.message()));
  }
  p.opaque_format = std::make_unique<OpaqueFormat>();
  p.jwt_format = std::make_unique<JwtFormat>(
      *p.key_manager, JwtFormatOptions{.issuer = config_.issuer, .default_audience = config_.jwt_audience});
  p.formats = std::make_unique<TokenFormats>(*p.opaque_format, p.jwt_format.get());
  return absl::OkStatus();
}

absl::Status TokendServer::Start() {
  if (auto st = LoadAdminKey(); !st.ok()) return st;
  if (auto st = StartLedger(); !st.ok()) return st;
  Parts& p = *parts_;
  storage::pg::ConnectionPool::Options pool_opts;
  pool_opts.dsn = config_.database_url;
  pool_opts.size = config_.db_pool_size;
  p.pool = std::make_unique<storage::pg::ConnectionPool>(pool_opts);
  p.writer = std::make_unique<storage::pg::GroupCommitWriter>(
      *p.pool, storage::pg::GroupCommitWriter::Options{.writers = config_.commit_writers});
  p.clients = std::make_unique<storage::pg::PgClientStore>(*p.pool);
  p.users = std::make_unique<storage::pg::PgUserStore>(*p.pool);
  p.tokens = std::make_unique<storage::pg::PgTokenStore>(*p.pool, *p.writer);
  p.authorization_store = std::make_unique<storage::pg::PgAuthorizationStore>(*p.pool);
  p.admin_store = std::make_unique<storage::pg::PgAdminStore>(*p.pool);
  p.audit_writer = std::make_unique<storage::pg::PgAuditLog>(*p.pool);
  p.guess_throttle = std::make_unique<GuessThrottle>(
      *p.authorization_store,
      GuessPolicy{.free_subject_failures = config_.guess_free_failures,
                  .free_address_failures = config_.guess_free_address_failures,
                  .max_delay = std::chrono::seconds(config_.guess_max_delay_seconds),
                  .forget_after = std::chrono::seconds(config_.guess_forget_seconds)},
      p.audit_writer.get());
  p.rate_limit_reporter = std::make_unique<RateLimitReporter>(p.audit_writer.get());
  if (auto st = StartKeys(); !st.ok()) return st;
  p.cache = std::make_unique<TokenCache>(std::chrono::seconds(config_.cache_ttl_seconds),
                                         config_.cache_entries);
  p.authenticator =
      std::make_unique<ClientAuthenticator>(*p.clients, absl::Seconds(config_.cache_ttl_seconds));
  p.authenticator->AttachThrottle(p.guess_throttle.get());
  p.change_feed = std::make_unique<storage::pg::ChangeFeed>(
      config_.database_url, [cache = p.cache.get(), auth = p.authenticator.get()](
                                const storage::pg::Change& change) {
        using Kind = storage::pg::Change::Kind;
        switch (change.kind) {
          case Kind::kToken:
            return cache->EraseToken(change.key);
          case Kind::kFamily:
            return cache->EraseFamily(change.key);
          case Kind::kClient:
            return auth->Invalidate(change.key);
          case Kind::kReset:
            cache->Clear();
            return auth->InvalidateAll();
        }
      });
  p.hasher = std::make_unique<PasswordHasher>();
  p.issuer = std::make_unique<TokenIssuer>(*p.tokens, *p.cache, *p.formats);
  p.core = std::make_unique<TokenService>(
      TokenService::Options{.issuer = config_.issuer, .default_rate_limit = config_.client_rate_limit},
      *p.authenticator,
                                          *p.tokens, *p.cache, *p.formats);
  p.core->AttachMetrics(&p.token_metrics);
  p.core->AttachRateLimitReporter(p.rate_limit_reporter.get());
  p.core->RegisterGrant(std::make_unique<ClientCredentialsGrant>(*p.issuer));
  p.core->RegisterGrant(std::make_unique<PasswordGrant>(*p.users, *p.hasher, *p.issuer,
                                                         p.guess_throttle.get()));
  p.core->RegisterGrant(std::make_unique<RefreshTokenGrant>(*p.issuer));
  p.core->RegisterGrant(std::make_unique<AuthorizationCodeGrant>(*p.authorization_store, *p.issuer));
  p.authorization = std::make_unique<AuthorizationService>(
      AuthorizationService::Options{
          .issuer = config_.issuer,
          .code_ttl = std::chrono::seconds(config_.authorization_code_ttl_seconds)},
      *p.clients, *p.users,
      *p.authorization_store, *p.hasher, *p.guess_throttle);
  p.client_registry = std::make_unique<ClientRegistry>(*p.clients, *p.authenticator);
  p.user_registry = std::make_unique<UserRegistry>(*p.users, *p.hasher);
  p.audit_log = std::make_unique<AuditLog>(*p.admin_store);
  p.token_inventory = std::make_unique<TokenInventory>(*p.admin_store, *p.cache);
  p.executor = std::make_unique<BoundedExecutor>(config_.executor_threads, 10000);
  auto jwks = [keys = p.key_manager.get()]() -> std::shared_ptr<const std::string> {
    auto published = keys->Published();
    return {published, &published->jwks_json};  // shares the snapshot, no copy
  };
  p.token_grpc = std::make_unique<grpc_adapter::TokenGrpcService>(*p.core, *p.executor, jwks);
  // --- identity (Blender ID): roles, badges, /api endpoints, IdentityService ---
  p.identity = std::make_unique<IdentityParts>(IdentityParts::Deps{
      *p.pool, *p.users, *p.user_registry, *p.client_registry, *p.hasher, *p.core, *p.issuer,
      *p.executor, *p.guess_throttle});
  // --- end identity ---
  p.admin_grpc = std::make_unique<grpc_adapter::AdminGrpcService>(
      config_.admin_key, *p.client_registry, *p.user_registry, p.key_manager.get(),
      &p.identity->role_registry, &p.identity->minter, p.audit_log.get(),
      p.token_inventory.get());

  std::shared_ptr<grpc::ServerCredentials> creds = grpc::InsecureServerCredentials();
  if (!config_.tls_cert.empty()) {
    auto cert = ReadFile(config_.tls_cert);
    auto key = ReadFile(config_.tls_key);
    if (!cert.ok() || !key.ok()) return absl::FailedPreconditionError("cannot read TLS cert/key");
    grpc::SslServerCredentialsOptions ssl;
    ssl.pem_key_cert_pairs.push_back({*key, *cert});
    creds = grpc::SslServerCredentials(ssl);
  }
  RegisterMetrics();
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  {
    grpc::ServerBuilder b;
    b.AddListeningPort(config_.grpc_addr, creds);
    b.RegisterService(p.token_grpc.get());
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> counted;
    counted.push_back(p.grpc_metrics.Factory());
    b.experimental().SetInterceptorCreators(std::move(counted));
    b.RegisterService(&p.identity->grpc);  // identity
    p.public_server = b.BuildAndStart();
    if (!p.public_server) return absl::UnavailableError("cannot listen on " + config_.grpc_addr);
  }
  {
    grpc::ServerBuilder b;
    b.AddListeningPort(config_.admin_addr, creds);
    b.RegisterService(p.admin_grpc.get());
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> counted;
    counted.push_back(p.grpc_metrics.Factory());
    b.experimental().SetInterceptorCreators(std::move(counted));
    p.admin_server = b.BuildAndStart();
    if (!p.admin_server) return absl::UnavailableError("cannot listen on " + config_.admin_addr);
  }
  {
    http::HttpBridgeOptions opts;
    opts.address = config_.http_addr;
    opts.issuer = config_.issuer;
    opts.tls_cert_file = config_.tls_cert;
    opts.tls_key_file = config_.tls_key;
    opts.readiness = [pool = p.pool.get()] { return pool->Ping(); };
    opts.jwks = jwks;
    opts.metrics = &p.metrics;
    opts.routes.push_back([authorization = p.authorization.get(),
                           secure = !config_.tls_cert.empty()](http::Router& r) {
      http::AddAuthorizeRoutes(r, *authorization, {.secure_cookies = secure});
    });
    opts.routes.push_back([identity = p.identity.get()](http::Router& r) {  // identity
      identity->InstallRoutes(r);
    });
    p.http = std::make_unique<http::HttpBridge>(std::move(opts), *p.core, *p.executor);
    if (auto st = p.http->Start(); !st.ok()) return st;  // names the address
  }
  purge_thread_ = std::thread([this] { PurgeLoop(); });
  logging::Info("tokend serving")
      .Str("grpc", config_.grpc_addr)
      .Str("admin", config_.admin_addr)
      .Str("http", config_.http_addr);
  return absl::OkStatus();
}

void TokendServer::RegisterMetrics() {
  Parts& p = *parts_;
  p.grpc_metrics.AddServices({"tokend.v1.TokenService", "tokend.v1.AdminService",
                              "tokend.v1.IdentityService", "grpc.health.v1.Health"});
  p.metrics.Add([&p](metrics::Exposition& out) {
    p.token_metrics.Collect(out);
    p.grpc_metrics.Collect(out);
    p.guess_throttle->Collect(out);
    p.rate_limit_reporter->Collect(out);
    out.Family("tokend_audit_dropped_total", "counter",
               "Limit and lockout audit rows dropped (queue full or ledger down).");
    out.Sample("tokend_audit_dropped_total", {}, p.audit_writer->dropped());
    out.Family("tokend_token_cache_lookups_total", "counter",
               "Token state lookups served from memory (hit) or not (miss).");
    out.Sample("tokend_token_cache_lookups_total", {{"result", "hit"}}, p.cache->hits());
    out.Sample("tokend_token_cache_lookups_total", {{"result", "miss"}}, p.cache->misses());
    out.Family("tokend_token_cache_entries", "gauge", "Token states held in memory.");
    out.Sample("tokend_token_cache_entries", {}, p.cache->entries());
    out.Family("tokend_token_cache_family_links", "gauge",
               "Links from token families to cached states (for family revocation).");
    out.Sample("tokend_token_cache_family_links", {}, p.cache->family_links());
    out.Family("tokend_db_pool_connections", "gauge", "PostgreSQL connections by state.");
    out.Sample("tokend_db_pool_connections", {{"state", "in_use"}},
               static_cast<uint64_t>(p.pool->in_use()));
    out.Sample("tokend_db_pool_connections", {{"state", "size"}},
               static_cast<uint64_t>(p.pool->size()));
    out.Family("tokend_db_pool_waiting", "gauge", "Callers waiting for a PostgreSQL connection.");
    out.Sample("tokend_db_pool_waiting", {}, static_cast<uint64_t>(p.pool->waiting()));
    out.Family("tokend_group_commit_batch_rows", "histogram",
               "Tokens per group-committed transaction.");
    out.HistogramSamples("tokend_group_commit_batch_rows", {}, p.writer->batch_rows());
    out.Family("tokend_group_commit_seconds", "histogram", "Group-commit transaction latency.");
    out.HistogramSamples("tokend_group_commit_seconds", {}, p.writer->commit_seconds());
    metrics::CollectJobs(out, {&p.migrate_job, &p.purge_job, &p.key_manager->rotation_job()});
    metrics::CollectProcess(out);
  });
}

void TokendServer::PurgeLoop() {
  for (;;) {
    {
      std::unique_lock lock(purge_mu_);
      purge_cv_.wait_for(lock, std::chrono::seconds(config_.purge_interval_seconds),
                         [&] { return stopping_; });
      if (stopping_) return;
    }
    PurgeOnce();
  }
}

void TokendServer::PurgeOnce() {
  Parts& p = *parts_;
  metrics::Job::Run run(p.purge_job);
  // Keep expired rows an hour so a late replay of a refresh token is still
  // recognised as reuse rather than as unknown.
  storage::Time before = storage::Now() - std::chrono::hours(1);
  for (int round = 0; round < 100; ++round) {
    auto n = p.tokens->PurgeExpired(before, 5000);
    if (!n.ok()) return run.Fail(n.status().message());
    if (*n == 0) break;
    run.Progress("tokens", static_cast<uint64_t>(*n));
  }
  auto n = p.authorization_store->PurgeExpired(before);
  if (!n.ok()) return run.Fail(n.status().message());
  run.Progress("authorization codes", static_cast<uint64_t>(*n));
}

void TokendServer::Shutdown() {
  {
    std::lock_guard lock(purge_mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  purge_cv_.notify_all();
  Parts& p = *parts_;
  auto deadline = std::chrono::system_clock::now() + std::chrono::seconds(config_.drain_timeout_seconds);
  if (p.http) p.http->Stop(deadline);  // before the executor: its tasks finish first
  if (p.public_server) p.public_server->Shutdown(deadline);
  if (p.admin_server) p.admin_server->Shutdown(deadline);
  if (p.executor) p.executor->Shutdown();
  if (p.writer) p.writer->Flush();
  if (p.audit_writer) p.audit_writer->Flush();
  if (purge_thread_.joinable()) purge_thread_.join();
  if (p.key_manager) p.key_manager->Stop();
  p.public_server.reset();
  p.admin_server.reset();
  p.pool.reset();
  if (p.cluster) {
    logging::Info("stopping the private PostgreSQL");
    p.cluster.reset();
  }
}

}  // namespace tokend::server
