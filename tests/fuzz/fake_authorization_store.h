// An in-memory storage::AuthorizationStore for the HTTP harness: the
// authorization pages run against it without PostgreSQL. Codes are kept but
// never exchanged (the harness registers no authorization_code grant).
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>

#include "storage/authorization_store.h"

namespace tokend::testing {

class FakeAuthorizationStore : public storage::AuthorizationStore {
 public:
  absl::Status SaveCode(const storage::AuthorizationCodeRecord& code) override {
    std::lock_guard lock(mu_);
    codes_[code.digest] = code;
    return absl::OkStatus();
  }
  absl::StatusOr<storage::CodeExchange> ExchangeCode(
      const std::string&, const std::string&, storage::Time, int,
      const std::function<absl::StatusOr<storage::NewSession>(
          const storage::AuthorizationCodeRecord&)>&) override {
    return storage::CodeExchange{};  // kUnknown
  }
  absl::Status SaveLoginSession(const storage::LoginSessionRecord& session) override {
    std::lock_guard lock(mu_);
    sessions_[session.digest] = session;
    return absl::OkStatus();
  }
  absl::StatusOr<storage::LoginSessionRecord> FindLoginSession(const std::string& digest,
                                                               storage::Time now) override {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(digest);
    if (it == sessions_.end() || it->second.expires_at <= now) {
      return absl::NotFoundError("no session");
    }
    return it->second;
  }
  absl::Status DeleteLoginSession(const std::string& digest) override {
    std::lock_guard lock(mu_);
    sessions_.erase(digest);
    return absl::OkStatus();
  }
  absl::StatusOr<std::optional<std::vector<std::string>>> ConsentedScopes(
      const std::string& user_id, const std::string& client_id) override {
    std::lock_guard lock(mu_);
    auto it = consents_.find({user_id, client_id});
    if (it == consents_.end()) return std::optional<std::vector<std::string>>();
    return std::optional<std::vector<std::string>>(
        std::vector<std::string>(it->second.begin(), it->second.end()));
  }
  absl::Status SaveConsent(const std::string& user_id, const std::string& client_id,
                           const std::vector<std::string>& scopes, storage::Time) override {
    std::lock_guard lock(mu_);
    consents_[{user_id, client_id}].insert(scopes.begin(), scopes.end());
    return absl::OkStatus();
  }
  absl::StatusOr<storage::LoginFailures> GetLoginFailures(const std::string& key) override {
    std::lock_guard lock(mu_);
    auto it = failures_.find(key);
    return it == failures_.end() ? storage::LoginFailures{} : it->second;
  }
  absl::StatusOr<storage::LoginFailures> AddLoginFailure(
      const std::string& key, storage::Time now, std::chrono::seconds forget_after) override {
    std::lock_guard lock(mu_);
    storage::LoginFailures& f = failures_[key];
    f.failures = f.failures > 0 && now - f.last_failure < forget_after ? f.failures + 1 : 1;
    f.last_failure = now;
    return f;
  }
  absl::Status ClearLoginFailures(const std::string& key) override {
    std::lock_guard lock(mu_);
    failures_.erase(key);
    return absl::OkStatus();
  }
  absl::StatusOr<int> PurgeExpired(storage::Time) override { return 0; }

 private:
  std::mutex mu_;
  std::map<std::string, storage::AuthorizationCodeRecord> codes_;
  std::map<std::string, storage::LoginSessionRecord> sessions_;
  std::map<std::pair<std::string, std::string>, std::set<std::string>> consents_;
  std::map<std::string, storage::LoginFailures> failures_;
};

}  // namespace tokend::testing
