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

// One client_credentials token issued over `Store`, and the cache it used.
template <typename Store>
struct IssuedOver {
  FakeUserStore users;
  Store store{users};
  TokenCache cache{std::chrono::seconds(30), 1024};
  TokenIssuer issuer{store, cache};
  absl::StatusOr<TokenResponse> token = absl::InternalError("no answer");

  IssuedOver() {
    issuer.IssueClientToken(Client(), {"read"}, "", TokenFormat::kDefault,
                            [&](absl::StatusOr<TokenResponse> r) { token = std::move(r); });
  }
};

TEST(TokenIssuerTest, CommittedClientTokenIsCached) {
  IssuedOver<FakeTokenStore> issued;
  ASSERT_TRUE(issued.token.ok()) << issued.token.status();
  auto state = issued.cache.Find(secrets::Sha256(issued.token->access_token));
  ASSERT_NE(state, nullptr);
  EXPECT_EQ(state->token.client_id, "svc");
  EXPECT_EQ(issued.cache.entries(), 1u);
}

TEST(TokenIssuerTest, FailedCommitLeavesNothingCached) {
  IssuedOver<UnavailableTokenStore> issued;
  EXPECT_TRUE(absl::IsUnavailable(issued.token.status())) << issued.token.status();
  EXPECT_EQ(issued.cache.entries(), 0u);
}

}  // namespace
}  // namespace tokend::testing
