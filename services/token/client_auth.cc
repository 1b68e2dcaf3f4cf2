#include "services/token/client_auth.h"

#include <algorithm>

#include "services/common/secrets.h"
#include "services/token/oauth_error.h"

namespace tokend {
namespace {

bool Contains(const std::vector<std::string>& v, absl::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

absl::Status AuthFailed() { return oauth::InvalidClient("Client authentication failed."); }

bool HasSecret(const PresentedCredentials& c) {
  return c.client_secret.has_value() && !c.client_secret->empty();
}

}  // namespace

bool AuthenticatedClient::HasPermission(absl::string_view permission) const {
  return Contains(record_->permissions, permission);
}

bool AuthenticatedClient::AllowsGrant(absl::string_view grant_type) const {
  if (Contains(record_->grant_types, grant_type)) return true;
  return grant_type == "refresh_token" && (Contains(record_->grant_types, "password") ||
                                           Contains(record_->grant_types, "authorization_code"));
}

ClientAuthenticator::ClientAuthenticator(storage::ClientStore& store, absl::Duration cache_ttl)
    : store_(store), cache_ttl_(cache_ttl) {}

void ClientAuthenticator::Invalidate(const std::string& client_id) {
  std::lock_guard lock(mu_);
  cache_.erase(client_id);
}

void ClientAuthenticator::InvalidateAll() {
  std::lock_guard lock(mu_);
  cache_.clear();
}

ClientAuthenticator::Record ClientAuthenticator::Cached(const std::string& client_id) {
  std::lock_guard lock(mu_);
  auto it = cache_.find(client_id);
  if (it != cache_.end() && absl::Now() - it->second.fetched < cache_ttl_) return it->second.record;
  return nullptr;
}

absl::StatusOr<ClientAuthenticator::Record> ClientAuthenticator::Load(const std::string& client_id) {
  if (Record cached = Cached(client_id)) return cached;
  absl::Time now = absl::Now();
  auto record = store_.GetClient(client_id);
  if (!record.ok()) return record.status();
  auto shared = std::make_shared<const storage::ClientRecord>(*std::move(record));
  std::lock_guard lock(mu_);
  cache_[client_id] = Entry{shared, now};
  return shared;
}

absl::StatusOr<AuthenticatedClient> ClientAuthenticator::Authenticate(
    const PresentedCredentials& credentials) {
  if (credentials.client_id.empty() || credentials.client_id.size() > 256) {
    return Verify(credentials, absl::NotFoundError(""));
  }
  if (throttle_ == nullptr) return Verify(credentials, Load(credentials.client_id));
  storage::Time now = storage::Now();
  if (auto refused = RefusedFromMemory(credentials, now)) return *std::move(refused);
  bool was_cached = Cached(credentials.client_id) != nullptr;
  auto result = Verify(credentials, Load(credentials.client_id));
  if (!result.ok()) {
    if (oauth::CodeOf(result.status()) != oauth::ErrorCode::kInvalidClient) return result;
    if (auto st = CountFailure(credentials, now); !st.ok()) return st;
    return result;
  }
  // A public client has no secret to guess; a right secret checked against
  // a cached row needs no round trip (see AttachThrottle).
  if (!HasSecret(credentials) || was_cached) return result;
  if (auto st = CheckLedgerWait(credentials, now); !st.ok()) return st;
  return result;
}

std::optional<absl::StatusOr<AuthenticatedClient>> ClientAuthenticator::AuthenticateCached(
    const PresentedCredentials& credentials) {
  if (credentials.client_id.empty() || credentials.client_id.size() > 256) {
    return Verify(credentials, absl::NotFoundError(""));
  }
  if (throttle_ != nullptr) {
    if (auto refused = RefusedFromMemory(credentials, storage::Now())) return *std::move(refused);
  }
  Record cached = Cached(credentials.client_id);
  if (cached == nullptr) return std::nullopt;
  auto result = Verify(credentials, cached);
  if (throttle_ != nullptr && !result.ok()) return std::nullopt;  // counted on the blocking path
  return result;
}

std::optional<absl::Status> ClientAuthenticator::RefusedFromMemory(
    const PresentedCredentials& credentials, storage::Time now) {
  // Only attempts that present a secret (a public client has none to guess).
  if (!HasSecret(credentials)) return std::nullopt;
  std::chrono::seconds wait = throttle_->KnownWait(
      GuessKind::kClientSecret, credentials.client_id, credentials.source_address, now);
  if (wait.count() == 0) return std::nullopt;
  return throttle_->Refuse(GuessKind::kClientSecret, wait);
}

absl::Status ClientAuthenticator::CountFailure(const PresentedCredentials& credentials,
                                               storage::Time now) {
  // A wait started on another replica: refuse without counting (an attempt
  // during a wait never lengthens it).
  auto wait = throttle_->WaitBefore(GuessKind::kClientSecret, credentials.client_id,
                                    credentials.source_address, now);
  if (!wait.ok()) return wait.status();
  if (wait->count() > 0) return throttle_->Refuse(GuessKind::kClientSecret, *wait);
  auto counted = throttle_->RecordFailure(GuessKind::kClientSecret, credentials.client_id,
                                          credentials.source_address, now);
  if (!counted.ok()) return counted.status();
  // The next right secret then reloads the row and goes past the ledger,
  // which clears the count or refuses it while a wait runs.
  Invalidate(credentials.client_id);
  return absl::OkStatus();
}

absl::Status ClientAuthenticator::CheckLedgerWait(const PresentedCredentials& credentials,
                                                  storage::Time now) {
  auto wait = throttle_->WaitBefore(GuessKind::kClientSecret, credentials.client_id,
                                    credentials.source_address, now);
  if (!wait.ok()) return wait.status();
  if (wait->count() > 0) {
    Invalidate(credentials.client_id);  // never leave a row that skips the ledger
    return throttle_->Refuse(GuessKind::kClientSecret, *wait);
  }
  return throttle_->RecordSuccess(GuessKind::kClientSecret, credentials.client_id);
}

absl::StatusOr<AuthenticatedClient> ClientAuthenticator::Verify(
    const PresentedCredentials& credentials, const absl::StatusOr<Record>& record) {
  if (credentials.client_id.empty()) {
    return oauth::InvalidClient("Client authentication is required.");
  }
  if (absl::IsNotFound(record.status())) {
    // Spend a digest anyway so an unknown id costs what a wrong secret does.
    (void)secrets::Sha256(credentials.client_secret.value_or(""));
    return AuthFailed();
  }
  if (!record.ok()) return record.status();
  const storage::ClientRecord& client = **record;
  if (!client.confidential) {
    if (credentials.client_secret.has_value() && !credentials.client_secret->empty()) {
      return AuthFailed();
    }
    return AuthenticatedClient(*record, credentials.source_address);
  }
  if (!credentials.client_secret.has_value() || client.secret_digest.empty()) return AuthFailed();
  if (!secrets::ConstantTimeEquals(secrets::Sha256(*credentials.client_secret),
                                   client.secret_digest)) {
    return AuthFailed();
  }
  return AuthenticatedClient(*record, credentials.source_address);
}

}  // namespace tokend
