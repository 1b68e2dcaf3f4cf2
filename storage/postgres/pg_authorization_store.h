#pragma once

#include "storage/authorization_store.h"
#include "storage/postgres/connection_pool.h"

namespace tokend::storage::pg {

class PgAuthorizationStore final : public AuthorizationStore {
 public:
  explicit PgAuthorizationStore(ConnectionPool& pool) : pool_(pool) {}
  absl::Status SaveCode(const AuthorizationCodeRecord& code) override;
  absl::StatusOr<CodeExchange> ExchangeCode(
      const std::string& digest, const std::string& client_id, Time now, int max_sessions,
      const std::function<absl::StatusOr<NewSession>(const AuthorizationCodeRecord&)>& mint)
      override;
  absl::Status SaveLoginSession(const LoginSessionRecord& session) override;
  absl::StatusOr<LoginSessionRecord> FindLoginSession(const std::string& digest, Time now) override;
  absl::Status DeleteLoginSession(const std::string& digest) override;
  absl::StatusOr<std::optional<std::vector<std::string>>> ConsentedScopes(const std::string& user_id,
                                                           const std::string& client_id) override;
  absl::Status SaveConsent(const std::string& user_id, const std::string& client_id,
                           const std::vector<std::string>& scopes, Time now) override;
  absl::StatusOr<LoginFailures> GetLoginFailures(const std::string& key) override;
  absl::StatusOr<LoginFailures> AddLoginFailure(const std::string& key, Time now,
                                                std::chrono::seconds forget_after) override;
  absl::Status ClearLoginFailures(const std::string& key) override;
  absl::StatusOr<int> PurgeExpired(Time before) override;

 private:
  ConnectionPool& pool_;
};

}  // namespace tokend::storage::pg
