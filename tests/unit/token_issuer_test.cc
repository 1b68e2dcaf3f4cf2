// TokenIssuer's client-credentials path caches a token's state before its
// group commit answers; these check the cache holds exactly the committed.
#include <gtest/gtest.h>

#include "services/common/secrets.h"
#include "services/token/token_cache.h"
#include "services/token/token_issuer.h"
#include "tests/unit/http_fakes.h"

namespace tokend::testing {
namespace {

// A ledger whose group commit fails, as when PostgreSQL is down.
class UnavailableTokenStore : public FakeTokenStore {
 public:
  using FakeTokenStore::FakeTokenStore;
  void RecordTokens(std::vector<storage::TokenRecord>,
                    std::function<void(absl::Status)> done) override {
    done(absl::UnavailableError("ledger down"));
  }
};

storage::ClientRecord Client() {
  storage::ClientRecord c;
  c.client_id = "svc";
  c.access_ttl_seconds = 60;
  return c;
}

absl::StatusOr<TokenResponse> Issue(TokenIssuer& issuer) {
  absl::StatusOr<TokenResponse> result = absl::InternalError("no answer");
  issuer.IssueClientToken(Client(), {"read"}, "", TokenFormat::kDefault,
                          [&](absl::StatusOr<TokenResponse> r) { result = std::move(r); });
  return result;
}

TEST(TokenIssuerTest, CommittedClientTokenIsCached) {
  FakeUserStore users;
  FakeTokenStore store(users);
  TokenCache cache(std::chrono::seconds(30), 1024);
  TokenIssuer issuer(store, cache);
  auto token = Issue(issuer);
  ASSERT_TRUE(token.ok()) << token.status();
  auto state = cache.Find(secrets::Sha256(token->access_token));
  ASSERT_NE(state, nullptr);
  EXPECT_EQ(state->token.client_id, "svc");
  EXPECT_EQ(cache.entries(), 1u);
}

TEST(TokenIssuerTest, FailedCommitLeavesNothingCached) {
  FakeUserStore users;
  UnavailableTokenStore store(users);
  TokenCache cache(std::chrono::seconds(30), 1024);
  TokenIssuer issuer(store, cache);
  auto token = Issue(issuer);
  EXPECT_TRUE(absl::IsUnavailable(token.status())) << token.status();
  EXPECT_EQ(cache.entries(), 0u);
}

}  // namespace
}  // namespace tokend::testing
