// In-memory fakes of the ledger interfaces (storage/ledger.h) and a real
// TokenService assembled over them, for testing the HTTP bridge without
// PostgreSQL.
#pragma once

#include <sodium.h>

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "services/common/secrets.h"
#include "services/token/client_auth.h"
#include "services/token/grants/client_credentials_grant.h"
#include "services/token/grants/password_grant.h"
#include "services/token/grants/refresh_token_grant.h"
#include "services/token/password_hasher.h"
#include "services/token/token_cache.h"
#include "services/token/token_issuer.h"
#include "services/token/token_service.h"
#include "storage/ledger.h"

namespace tokend::testing {

// Rows keyed by id under a mutex: what the client and user fakes share.
template <typename Record>
class FakeTable {
 public:
  absl::Status Insert(const std::string& key, const Record& row) {
    std::lock_guard lock(mu_);
    if (!rows_.emplace(key, row).second) return absl::AlreadyExistsError("taken");
    return absl::OkStatus();
  }
  absl::StatusOr<Record> Get(const std::string& key) {
    std::lock_guard lock(mu_);
    auto it = rows_.find(key);
    if (it == rows_.end()) return absl::NotFoundError("not found");
    return it->second;
  }
  // The first row `match` accepts.
  absl::StatusOr<Record> Find(const std::function<bool(const Record&)>& match) {
    std::lock_guard lock(mu_);
    for (const auto& [_, row] : rows_) {
      if (match(row)) return row;
    }
    return absl::NotFoundError("not found");
  }
  std::vector<Record> List() {
    std::lock_guard lock(mu_);
    std::vector<Record> out;
    for (const auto& [_, row] : rows_) out.push_back(row);
    return out;
  }
  absl::Status Update(const std::string& key, const std::function<void(Record&)>& change) {
    std::lock_guard lock(mu_);
    auto it = rows_.find(key);
    if (it == rows_.end()) return absl::NotFoundError("not found");
    change(it->second);
    return absl::OkStatus();
  }
  absl::Status Erase(const std::string& key) {
    std::lock_guard lock(mu_);
    return rows_.erase(key) > 0 ? absl::OkStatus() : absl::NotFoundError("not found");
  }

 private:
  std::mutex mu_;
  std::map<std::string, Record> rows_;
};

class FakeClientStore : public storage::ClientStore {
 public:
  using Record = storage::ClientRecord;
  absl::Status CreateClient(const Record& c) override { return rows_.Insert(c.client_id, c); }
  absl::StatusOr<Record> GetClient(const std::string& id) override { return rows_.Get(id); }
  absl::StatusOr<std::vector<Record>> ListClients(const storage::PageRequest&) override {
    return rows_.List();
  }
  absl::Status UpdateClient(const Record& c) override {
    return rows_.Update(c.client_id, [&](Record& row) { row = c; });
  }
  absl::Status DeleteClient(const std::string& id) override { return rows_.Erase(id); }
  absl::Status SetClientSecretDigest(const std::string& id, const std::string& digest) override {
    return rows_.Update(id, [&](Record& row) { row.secret_digest = digest; });
  }

 private:
  FakeTable<Record> rows_;
};

class FakeUserStore : public storage::UserStore {
 public:
  using Record = storage::UserRecord;
  absl::Status CreateUser(const Record& u) override { return rows_.Insert(u.id, u); }
  absl::StatusOr<Record> GetUser(const std::string& id) override { return rows_.Get(id); }
  absl::StatusOr<Record> GetUserByUsername(const std::string& name) override {
    return rows_.Find([&](const Record& u) { return u.username == name; });
  }
  absl::StatusOr<Record> GetUserByEmail(const std::string& email) override {
    return rows_.Find([&](const Record& u) { return !email.empty() && u.email == email; });
  }
  absl::StatusOr<std::vector<Record>> ListUsers(const storage::PageRequest&) override {
    return rows_.List();
  }
  absl::Status UpdateUser(const Record& u) override {
    return rows_.Update(u.id, [&](Record& row) { row = u; });
  }
  absl::Status SetPasswordHash(const std::string& id, const std::string& hash) override {
    return rows_.Update(id, [&](Record& row) { row.password_hash = hash; });
  }
  absl::Status DeleteUser(const std::string& id) override { return rows_.Erase(id); }

 private:
  FakeTable<Record> rows_;
};

class FakeTokenStore : public storage::TokenStore {
 public:
  explicit FakeTokenStore(storage::UserStore& users) : users_(users) {}

  void RecordTokens(std::vector<storage::TokenRecord> tokens,
                    std::function<void(absl::Status)> done) override {
    {
      std::lock_guard lock(mu_);
      for (auto& t : tokens) rows_[t.digest] = std::move(t);
    }
    done(absl::OkStatus());
  }
  absl::StatusOr<std::vector<std::string>> OpenSession(const storage::NewSession& s, int) override {
    std::lock_guard lock(mu_);
    for (const auto& t : s.tokens) rows_[t.digest] = t;
    return std::vector<std::string>{};
  }
  absl::StatusOr<storage::RefreshResult> RotateRefreshToken(
      const std::string& digest, const std::string& client_id, storage::Time now,
      const std::function<absl::StatusOr<storage::Rotation>(const storage::TokenRecord&)>& mint)
      override {
    std::lock_guard lock(mu_);
    auto it = rows_.find(digest);
    if (it == rows_.end() || it->second.kind != storage::TokenKind::kRefresh) {
      return storage::RefreshResult{};
    }
    storage::TokenRecord& old = it->second;
    if (old.client_id != client_id) {
      return storage::RefreshResult{storage::RefreshOutcome::kWrongClient, ""};
    }
    if (old.used_at) {
      RevokeFamilyLocked(old.family_id, now);
      return storage::RefreshResult{storage::RefreshOutcome::kReused, old.family_id};
    }
    if (old.revoked_at || old.expires_at <= now) {
      return storage::RefreshResult{storage::RefreshOutcome::kInactive, ""};
    }
    auto rotation = mint(old);
    if (!rotation.ok()) return rotation.status();
    old.used_at = now;
    std::string family = old.family_id;
    for (const auto& t : rotation->tokens) rows_[t.digest] = t;
    return storage::RefreshResult{storage::RefreshOutcome::kRotated, family};
  }
  absl::StatusOr<storage::TokenState> FindToken(const std::string& digest) override {
    storage::TokenState state;
    {
      std::lock_guard lock(mu_);
      auto it = rows_.find(digest);
      if (it == rows_.end()) return absl::NotFoundError("not found");
      state.token = it->second;
    }
    if (!state.token.user_id.empty()) {
      if (auto user = users_.GetUser(state.token.user_id); user.ok())
        state.username = user->username;
    }
    return state;
  }
  absl::Status RevokeToken(const std::string& digest, const std::string&) override {
    std::lock_guard lock(mu_);
    if (auto it = rows_.find(digest); it != rows_.end()) it->second.revoked_at = storage::Now();
    return absl::OkStatus();
  }
  absl::Status RevokeFamily(const std::string& family_id, const std::string&) override {
    std::lock_guard lock(mu_);
    RevokeFamilyLocked(family_id, storage::Now());
    return absl::OkStatus();
  }
  absl::StatusOr<int> PurgeExpired(storage::Time, int) override { return 0; }

 private:
  void RevokeFamilyLocked(const std::string& family_id, storage::Time now) {
    for (auto& [_, t] : rows_) {
      if (t.family_id == family_id && !t.revoked_at) t.revoked_at = now;
    }
  }

  storage::UserStore& users_;
  std::mutex mu_;
  std::map<std::string, storage::TokenRecord> rows_;
};

// A real TokenService with the three grants, over the fakes; opaque access
// tokens only unless given other `formats`.
class FakeCore {
 public:
  explicit FakeCore(const TokenFormats& formats = TokenFormats::OpaqueOnly())
      : tokens_(users_),
        cache_(std::chrono::seconds(30), 1 << 16),
        authenticator_(clients_, absl::Seconds(30)),
        hasher_(crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN, 4),
        issuer_(tokens_, cache_, formats),
        core_(TokenService::Options{"https://issuer.test"}, authenticator_, tokens_, cache_,
              formats) {
    core_.RegisterGrant(std::make_unique<ClientCredentialsGrant>(issuer_));
    core_.RegisterGrant(std::make_unique<PasswordGrant>(users_, hasher_, issuer_));
    core_.RegisterGrant(std::make_unique<RefreshTokenGrant>(issuer_));
  }

  TokenService& core() { return core_; }
  storage::ClientStore& clients() { return clients_; }
  storage::UserStore& users() { return users_; }
  const PasswordHasher& hasher() const { return hasher_; }

  // A confidential client allowed `grant_types`, scopes "read write".
  void AddClient(const std::string& id, const std::string& secret,
                 std::vector<std::string> grant_types = {"client_credentials", "password"}) {
    storage::ClientRecord c;
    c.client_id = id;
    c.name = id;
    c.grant_types = std::move(grant_types);
    c.allowed_scopes = {"read", "write"};
    c.default_scopes = {"read"};
    c.secret_digest = secrets::Sha256(secret);
    c.created_at = c.updated_at = storage::Now();
    (void)clients_.CreateClient(c);
  }

  void AddUser(const std::string& id, const std::string& username, const std::string& password) {
    storage::UserRecord u;
    u.id = id;
    u.username = username;
    u.password_hash = *hasher_.Hash(password);
    (void)users_.CreateUser(u);
  }

 private:
  FakeClientStore clients_;
  FakeUserStore users_;
  FakeTokenStore tokens_;
  TokenCache cache_;
  ClientAuthenticator authenticator_;
  PasswordHasher hasher_;
  TokenIssuer issuer_;
  TokenService core_;
};

}  // namespace tokend::testing
