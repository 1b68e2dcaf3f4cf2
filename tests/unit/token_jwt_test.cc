// JWT access tokens through the real OAuth core over in-memory fakes:
// issuance for every grant, Introspect (blocking and cached) and Revoke on
// JWTs, client defaults, tampering, rotation.
#include "gtest/gtest.h"
#include "services/jwt/jwt_signer.h"
#include "services/jwt/jwt_verifier.h"
#include "services/token/token_format/jwt_format.h"
#include "services/token/oauth_error.h"
#include "services/token/token_format/opaque_format.h"
#include "tests/testing/jwt_tampering.h"
#include "tests/unit/fake_key_store.h"
#include "tests/unit/http_fakes.h"

namespace tokend::testing {
namespace {

constexpr char kIssuer[] = "https://issuer.test";

class JwtCoreTest : public ::testing::Test {
 protected:
  JwtCoreTest()
      : keys_(key_store_, keys::KeyEncryptionKey::Generate(), KeyOptions()),
        jwt_(keys_, {.issuer = kIssuer, .default_audience = ""}),
        formats_(opaque_, &jwt_),
        fake_(formats_),
        core_(fake_.core()) {
    EXPECT_TRUE(keys_.Start().ok());
    AddClient("app", storage::TokenFormat::kOpaque);
    AddClient("jwt-app", storage::TokenFormat::kJwt);
    fake_.AddUser("u-1", "alice", "wonderland");
  }
  static keys::KeyManagerOptions KeyOptions() {
    keys::KeyManagerOptions o;
    o.unknown_kid_reload_interval = absl::ZeroDuration();
    return o;
  }
  // "read write" allowed, "read" by default, 600 s access tokens.
  void AddClient(const std::string& id, storage::TokenFormat format) {
    fake_.AddClient(id, "s3cret", {"client_credentials", "password", "refresh_token"});
    auto c = *fake_.clients().GetClient(id);
    c.access_ttl_seconds = 600;
    c.default_token_format = format;
    ASSERT_TRUE(fake_.clients().UpdateClient(c).ok());
  }
  static PresentedCredentials Creds(const std::string& id = "app") { return {id, "s3cret"}; }
  TokenResponse Issue(TokenRequest r, const std::string& client = "app") {
    auto t = core_.Token(Creds(client), r);
    EXPECT_TRUE(t.ok()) << t.status();
    return t.ok() ? *t : TokenResponse{};
  }
  static TokenRequest ClientCredentials(TokenFormat f = TokenFormat::kJwt) {
    TokenRequest r;
    r.grant_type = "client_credentials";
    r.format = f;
    return r;
  }
  bool Active(const std::string& token, const std::string& client = "app") {
    auto i = core_.Introspect(Creds(client), token, "");
    EXPECT_TRUE(i.ok()) << i.status();
    return i.ok() && i->active;
  }
  absl::StatusOr<jwt::VerifiedJwt> Offline(const std::string& token) {
    return jwt::JwtVerifier({kIssuer, "", absl::ZeroDuration()})
        .Verify(token, keys_.Published()->keys, absl::Now());
  }

  FakeKeyStore key_store_;
  keys::KeyManager keys_;
  OpaqueFormat opaque_;
  JwtFormat jwt_;
  TokenFormats formats_;
  FakeCore fake_;
  TokenService& core_;
};

TEST_F(JwtCoreTest, ClientCredentialsJwtFollowsRfc9068) {
  TokenResponse t = Issue(ClientCredentials());
  EXPECT_EQ(std::count(t.access_token.begin(), t.access_token.end(), '.'), 2);
  EXPECT_EQ(t.token_type, "Bearer");
  EXPECT_EQ(t.expires_in, 600);
  auto v = Offline(t.access_token);
  ASSERT_TRUE(v.ok()) << v.status();
  const jwt::JwtClaims& c = v->claims();
  EXPECT_EQ(c.iss, kIssuer);
  EXPECT_EQ(c.sub, "app");
  EXPECT_EQ(c.client_id, "app");
  EXPECT_EQ(c.aud, std::vector<std::string>{kIssuer}) << "default audience";
  EXPECT_EQ(c.scope, "read");
  EXPECT_EQ(c.exp - c.iat, 600);
  EXPECT_EQ(c.nbf, c.iat);
  EXPECT_EQ(v->kid(), keys_.ActiveKey()->kid);

  auto info = core_.Introspect(Creds(), t.access_token, "");
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(info->active);
  EXPECT_EQ(info->jti, c.jti) << "the ledger row is the JWT's jti";
  EXPECT_EQ(info->aud, kIssuer);
  EXPECT_EQ(info->exp, c.exp);
  // The digest-keyed cache answers on the reactor path too.
  auto cached = core_.TryIntrospectCached(Creds(), t.access_token, "");
  ASSERT_TRUE(cached.has_value());
  EXPECT_TRUE((*cached)->active);
}

TEST_F(JwtCoreTest, RequestedAudienceBecomesAud) {
  TokenRequest r = ClientCredentials();
  r.audience = "https://api.test";
  auto v = Offline(Issue(r).access_token);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->claims().aud, std::vector<std::string>{"https://api.test"});
}

TEST_F(JwtCoreTest, RevokeWorksOnJwtsAsOnOpaqueTokens) {
  TokenResponse t = Issue(ClientCredentials());
  ASSERT_TRUE(Active(t.access_token));
  ASSERT_TRUE(core_.Revoke(Creds(), t.access_token, "").ok());
  EXPECT_FALSE(Active(t.access_token));
  auto cached = core_.TryIntrospectCached(Creds(), t.access_token, "");
  EXPECT_TRUE(!cached.has_value() || !(*cached)->active);
  EXPECT_TRUE(Offline(t.access_token).ok()) << "the signature alone cannot know";
}

TEST_F(JwtCoreTest, ClientDefaultFormatAndRequestOverride) {
  std::string by_default = Issue(ClientCredentials(TokenFormat::kDefault), "jwt-app").access_token;
  EXPECT_TRUE(Offline(by_default).ok()) << by_default;
  std::string opaque = Issue(ClientCredentials(TokenFormat::kOpaque), "jwt-app").access_token;
  EXPECT_EQ(opaque.substr(0, 4), "tda_");
  EXPECT_EQ(Issue(ClientCredentials(TokenFormat::kDefault)).access_token.substr(0, 4), "tda_");
  EXPECT_TRUE(Active(by_default, "jwt-app"));
  EXPECT_TRUE(Active(opaque, "jwt-app"));
}

TEST_F(JwtCoreTest, PasswordAndRefreshMintJwtAccessAndOpaqueRefresh) {
  TokenRequest login;
  login.grant_type = "password";
  login.username = "alice";
  login.password = "wonderland";
  login.format = TokenFormat::kJwt;
  TokenResponse t = Issue(login);
  EXPECT_EQ(t.refresh_token.substr(0, 4), "tdr_");
  auto v = Offline(t.access_token);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->claims().sub, "u-1");
  auto info = core_.Introspect(Creds(), t.access_token, "");
  EXPECT_EQ(info->username, "alice");

  TokenRequest refresh;
  refresh.grant_type = "refresh_token";
  refresh.refresh_token = t.refresh_token;
  refresh.format = TokenFormat::kJwt;
  TokenResponse r = Issue(refresh);
  ASSERT_TRUE(Offline(r.access_token).ok());
  EXPECT_TRUE(Active(r.access_token));
  // Revoking the refresh token takes the session, JWTs included.
  ASSERT_TRUE(core_.Revoke(Creds(), r.refresh_token, "refresh_token").ok());
  EXPECT_FALSE(Active(r.access_token));
}

TEST_F(JwtCoreTest, TamperedAndForeignTokensAreInactive) {
  std::string good = Issue(ClientCredentials()).access_token;
  std::string kid = keys_.ActiveKey()->kid;
  jwt::JwtKey foreign{kid, jwt::Algorithm::kES256, *jwt::GenerateKey(jwt::Algorithm::kES256)};
  auto claims = Offline(good)->claims();
  claims.jti = "forged";
  std::vector<std::string> bad = {
      AlgNone(good),
      HmacWithPublicKey(good, keys_.ActiveKey()->key.get()),
      SwapKid(good, "unknown-kid"),
      FlipPayloadByte(good),
      *jwt::SignJwt(foreign, claims),  // our kid, another key
  };
  for (const auto& token : bad) {
    EXPECT_FALSE(Active(token)) << token;
    auto cached = core_.TryIntrospectCached(Creds(), token, "");
    EXPECT_TRUE(!cached.has_value() || !(*cached)->active) << token;
  }
  // A token signed by our own key but never issued (not in the ledger).
  EXPECT_FALSE(Active(*jwt::SignJwt(*keys_.ActiveKey(), claims)));
  // Expired and not-yet-valid, signed by our key.
  claims.exp = absl::ToUnixSeconds(absl::Now()) - 3600;
  EXPECT_FALSE(Active(*jwt::SignJwt(*keys_.ActiveKey(), claims)));
  claims.exp = absl::ToUnixSeconds(absl::Now()) + 7200;
  claims.nbf = claims.exp - 60;
  EXPECT_FALSE(Active(*jwt::SignJwt(*keys_.ActiveKey(), claims)));
}

TEST_F(JwtCoreTest, UnknownKidWaitsForTheBlockingPath) {
  std::string good = Issue(ClientCredentials()).access_token;
  // The reactor path cannot reload keys: it hands over.
  EXPECT_FALSE(core_.TryIntrospectCached(Creds(), SwapKid(good, "elsewhere"), "").has_value());
}

TEST_F(JwtCoreTest, RotationKeepsOldTokensActiveAndSignsWithTheNewKey) {
  std::string before = Issue(ClientCredentials()).access_token;
  std::string old_kid = Offline(before)->kid();
  ASSERT_TRUE(keys_.Rotate().ok());
  std::string after = Issue(ClientCredentials()).access_token;
  EXPECT_NE(Offline(after)->kid(), old_kid);
  EXPECT_TRUE(Active(before));
  EXPECT_TRUE(Active(after));
}

TEST(JwtDisabledTest, JwtRequestsAreInvalidWithoutKeys) {
  FakeCore fake;
  fake.AddClient("app", "s3cret");
  TokenRequest r;
  r.grant_type = "client_credentials";
  r.format = TokenFormat::kJwt;
  auto t = fake.core().Token({"app", "s3cret"}, r);
  EXPECT_EQ(oauth::CodeOf(t.status()), oauth::ErrorCode::kInvalidRequest);
}

}  // namespace
}  // namespace tokend::testing
