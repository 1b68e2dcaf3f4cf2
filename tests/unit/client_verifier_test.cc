// The resource-server verifier (clients/cpp/jwt_verifier.h) over a JWKS it
// fetches from a fake source: caching, refetch on an unknown kid with its
// rate limit, outages, and the optional revocation check.
#include "gtest/gtest.h"
#include "jwt_verifier.h"
#include "services/jwt/jwt_signer.h"
#include "tests/testing/jwt_tampering.h"

namespace tokend::client {
namespace {

// Serves whatever key set the test holds, counting fetches.
class FakeJwks : public JwksSource {
 public:
  absl::StatusOr<std::string> Fetch() override {
    ++fetches;
    if (down) return absl::UnavailableError("down");
    return *jwt::ToJwks(keys);
  }
  jwt::KeySet keys;
  int fetches = 0;
  bool down = false;
};

class FakeRevocation : public RevocationChecker {
 public:
  absl::StatusOr<bool> IsRevoked(absl::string_view, const jwt::VerifiedJwt& jwt) override {
    if (down) return absl::UnavailableError("down");
    return jwt.claims().jti == revoked_jti;
  }
  std::string revoked_jti;
  bool down = false;
};

class ClientVerifierTest : public ::testing::Test {
 protected:
  ClientVerifierTest() {
    key_ = NewKey("k1");
    auto source = std::make_unique<FakeJwks>();
    jwks_ = source.get();
    jwks_->keys.Add(key_);
    auto revocation = std::make_unique<FakeRevocation>();
    revocation_ = revocation.get();
    verifier_ = std::make_unique<JwtVerifier>(
        std::move(source),
        JwtVerifierOptions{.issuer = "https://issuer.test",
                           .audience = "https://api.test",
                           .now = [this] { return now_; }},
        std::move(revocation));
  }
  static jwt::JwtKey NewKey(const std::string& kid) {
    return {kid, jwt::Algorithm::kES256, *jwt::GenerateKey(jwt::Algorithm::kES256)};
  }
  std::string Token(const jwt::JwtKey& key, const std::string& jti = "j1") {
    jwt::JwtClaims c;
    c.iss = "https://issuer.test";
    c.sub = "client-1";
    c.aud = {"https://api.test"};
    c.iat = c.nbf = absl::ToUnixSeconds(now_);
    c.exp = c.iat + 600;
    c.jti = jti;
    c.client_id = "client-1";
    c.scope = "read";
    return *jwt::SignJwt(key, c);
  }
  std::optional<jwt::JwtError> Refusal(const std::string& token) {
    auto v = verifier_->Verify(token);
    EXPECT_FALSE(v.ok());
    return jwt::JwtErrorOf(v.status());
  }

  absl::Time now_ = absl::Now();
  jwt::JwtKey key_;
  FakeJwks* jwks_;
  FakeRevocation* revocation_;
  std::unique_ptr<JwtVerifier> verifier_;
};

TEST_F(ClientVerifierTest, FetchesOnceAndCaches) {
  for (int i = 0; i < 5; ++i) {
    auto v = verifier_->Verify(Token(key_));
    ASSERT_TRUE(v.ok()) << v.status();
    EXPECT_EQ(v->claims().scope, "read");
  }
  EXPECT_EQ(jwks_->fetches, 1);
  now_ += absl::Minutes(6);  // past max_cache_age
  ASSERT_TRUE(verifier_->Verify(Token(key_)).ok());
  EXPECT_EQ(jwks_->fetches, 2);
}

TEST_F(ClientVerifierTest, UnknownKidRefetchesAtMostEvery30Seconds) {
  ASSERT_TRUE(verifier_->Verify(Token(key_)).ok());
  now_ += absl::Seconds(31);
  jwt::JwtKey rotated = NewKey("k2");
  jwks_->keys.Add(rotated);
  ASSERT_TRUE(verifier_->Verify(Token(rotated)).ok()) << "a rotation is picked up";
  EXPECT_EQ(jwks_->fetches, 2);
  // A flood of unknown kids costs no more fetches until the interval passes.
  for (int i = 0; i < 20; ++i) EXPECT_EQ(Refusal(Token(NewKey("x" + std::to_string(i)))), jwt::JwtError::kUnknownKey);
  EXPECT_EQ(jwks_->fetches, 2);
  now_ += absl::Seconds(31);
  EXPECT_EQ(Refusal(Token(NewKey("y"))), jwt::JwtError::kUnknownKey);
  EXPECT_EQ(jwks_->fetches, 3);
}

TEST_F(ClientVerifierTest, OutagesKeepCachedKeysAndReportWhenThereAreNone) {
  jwks_->down = true;
  EXPECT_EQ(Refusal(Token(key_)), jwt::JwtError::kKeysUnavailable);
  EXPECT_FALSE(verifier_->Refresh().ok());
  jwks_->down = false;
  now_ += absl::Seconds(2);
  ASSERT_TRUE(verifier_->Verify(Token(key_)).ok());
  jwks_->down = true;
  now_ += absl::Minutes(6);
  EXPECT_TRUE(verifier_->Verify(Token(key_)).ok()) << "stale keys beat no keys";
}

TEST_F(ClientVerifierTest, TamperingAndRevocationHaveTheirOwnCodes) {
  std::string good = Token(key_);
  EXPECT_EQ(Refusal(testing::AlgNone(good)), jwt::JwtError::kUnsupportedAlgorithm);
  EXPECT_EQ(Refusal(testing::HmacWithPublicKey(good, key_.key.get())), jwt::JwtError::kUnsupportedAlgorithm);
  EXPECT_EQ(Refusal(testing::FlipPayloadByte(good)), jwt::JwtError::kBadSignature);
  EXPECT_EQ(Refusal(std::string(8193, 'a')), jwt::JwtError::kTooLarge);
  revocation_->revoked_jti = "j1";
  EXPECT_EQ(Refusal(good), jwt::JwtError::kRevoked);
  revocation_->down = true;
  EXPECT_EQ(Refusal(Token(key_, "j2")), jwt::JwtError::kRevocationUnknown) << "fails closed";
}

}  // namespace
}  // namespace tokend::client
