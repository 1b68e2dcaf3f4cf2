// JWT access tokens end to end: the built tokend over real sockets, PyJWT as
// the independent verifier, the C++ resource-server verifier, tampering,
// rotation under load, replicas sharing one ledger, tokenctl keys.
#include <atomic>
#include <fstream>
#include <mutex>
#include <pqxx/pqxx>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "jwt_verifier.h"
#include "services/jwt/jose.h"
#include "services/jwt/jwt_signer.h"
#include "services/keys/key_encryption.h"
#include "tests/testing/jwt_tampering.h"
#include "tests/testing/pg_harness.h"
#include "tests/testing/tokend_process.h"
#include "tokend_client.h"

namespace tokend::testing {
namespace {

using Creds = std::pair<std::string, std::string>;

std::string KidOf(const std::string& token) {
  std::string header;
  jwt::Base64UrlDecode(std::vector<std::string>(absl::StrSplit(token, '.'))[0], &header);
  return jwt::StringMember(*jwt::ParseJsonObject(header), "kid").value_or("");
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Drives one tokend over gRPC and HTTP.
struct Driver {
  explicit Driver(const TokendProcess& s) : server(s), stub(s.TokenStub()) {}

  Creds NewClient(int64_t ttl = 3600, bool jwt_default = false) const {
    v1::Client c;
    c.add_grant_types("client_credentials");
    c.add_allowed_scopes("read");
    c.add_allowed_scopes("write");
    c.add_default_scopes("read");
    c.set_access_token_ttl_seconds(ttl);
    if (jwt_default) c.set_default_token_format(v1::TOKEN_FORMAT_JWT);
    return server.CreateClient(c);
  }
  grpc::Status Issue(const Creds& creds, std::string* token, const std::string& audience = "",
                     v1::TokenFormat format = v1::TOKEN_FORMAT_JWT) const {
    grpc::ClientContext ctx;
    client::AddClientAuth(&ctx, creds.first, creds.second);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    v1::IssueTokenRequest req;
    req.mutable_client_credentials();
    req.set_token_format(format);
    req.set_audience(audience);
    v1::IssueTokenResponse resp;
    grpc::Status st = stub->IssueToken(&ctx, req, &resp);
    *token = resp.access_token();
    return st;
  }
  std::string IssueOrFail(const Creds& creds, const std::string& audience = "") const {
    std::string token;
    grpc::Status st = Issue(creds, &token, audience);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return token;
  }
  grpc::Status Introspect(const Creds& creds, const std::string& token, bool* active) const {
    grpc::ClientContext ctx;
    client::AddClientAuth(&ctx, creds.first, creds.second);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    v1::IntrospectRequest req;
    req.set_token(token);
    v1::IntrospectResponse resp;
    grpc::Status st = stub->Introspect(&ctx, req, &resp);
    *active = resp.active();
    return st;
  }
  bool Active(const Creds& creds, const std::string& token) const {
    bool active = false;
    grpc::Status st = Introspect(creds, token, &active);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return active;
  }
  std::string Jwks() const {
    grpc::ClientContext ctx;
    v1::GetJwksResponse resp;
    EXPECT_TRUE(stub->GetJwks(&ctx, v1::GetJwksRequest(), &resp).ok());
    return resp.jwks_json();
  }
  std::string Base() const { return "http://" + server.http_addr(); }
  std::string Issuer() const { return Base(); }  // tokend's default issuer
  // The resource-server verifier against this tokend's JWKS.
  std::unique_ptr<client::JwtVerifier> Verifier(absl::Duration leeway = absl::Seconds(30)) const {
    return std::make_unique<client::JwtVerifier>(
        client::HttpJwksSource::Create(Base() + "/.well-known/jwks.json"),
        client::JwtVerifierOptions{.issuer = Issuer(), .audience = "", .leeway = leeway,
                                   .min_refetch_interval = absl::Seconds(1)});
  }
  // tokend's active signing key, opened as an attacker holding the ledger
  // and the KEK would (to sign tokens tokend never issued).
  jwt::JwtKey ActiveKey(const std::string& dsn) const {
    pqxx::connection c(dsn);
    pqxx::nontransaction tx(c);
    auto row = tx.exec("SELECT kid, algorithm, encode(sealed_private_key, 'hex') FROM signing_keys "
                       "WHERE retired_at IS NULL")[0];
    auto kek = keys::KeyEncryptionKey::FromBase64(
        absl::StripAsciiWhitespace(ReadFile(server.data_dir() + "/key-encryption.key")));
    std::string kid = row[0].as<std::string>();
    auto der = kek->Open(absl::HexStringToBytes(row[2].as<std::string>()), kid);
    EXPECT_TRUE(der.ok()) << der.status();
    return {kid, *jwt::AlgorithmFromName(row[1].as<std::string>()), *jwt::PrivateKeyFromDer(*der)};
  }

  const TokendProcess& server;
  std::unique_ptr<v1::TokenService::Stub> stub;
};

std::optional<jwt::JwtError> Refusal(client::JwtVerifier& verifier, const std::string& token) {
  auto v = verifier.Verify(token);
  EXPECT_FALSE(v.ok()) << token;
  return jwt::JwtErrorOf(v.status());
}

// The suite's server: ES256, the default.
class JwtE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dsn_ = new std::string(FreshDatabase("jwt"));
    server_ = new TokendProcess({.database_url = *dsn_});
    ASSERT_TRUE(server_->Start());
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dsn_;
  }
  static TokendProcess* server_;
  static std::string* dsn_;
  Driver d_{*server_};
};
TokendProcess* JwtE2eTest::server_ = nullptr;
std::string* JwtE2eTest::dsn_ = nullptr;

// PyJWT verifies our token against our JWKS for `alg`; the token PyJWT signs
// with its own key under our kid is refused by Introspect and the C++
// verifier.
void InteropWithPyJwt(const TokendProcess& server, const std::string& alg) {
  Driver d(server);
  Creds creds = d.NewClient();
  std::string token = d.IssueOrFail(creds, "https://api.example");
  ASSERT_EQ(std::count(token.begin(), token.end(), '.'), 2) << token;
  auto r = RunCommand("/usr/bin/python3",
                      {BinaryFromEnv("TOKEND_SOURCE_DIR") + "/tests/e2e/python/jwt_interop_test.py"},
                      {{"TOKEND_HTTP", d.Base()}, {"TOKEN", token}, {"ALG", alg},
                       {"ISSUER", d.Issuer()}, {"AUDIENCE", "https://api.example"},
                       {"CLIENT_ID", creds.first}});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(absl::StrContains(r.out, " passed, 0 failed")) << r.out << r.err;
  size_t at = r.out.find("FORGED=");
  ASSERT_NE(at, std::string::npos) << r.out;
  std::string forged(absl::StripAsciiWhitespace(r.out.substr(at + 7, r.out.find('\n', at) - at - 7)));
  EXPECT_EQ(KidOf(forged), KidOf(token));
  EXPECT_TRUE(d.Active(creds, token));
  EXPECT_FALSE(d.Active(creds, forged)) << alg;
  auto verifier = d.Verifier();
  ASSERT_TRUE(verifier->Verify(token).ok()) << alg;
  EXPECT_EQ(Refusal(*verifier, forged), jwt::JwtError::kBadSignature) << alg;
  // Key confusion (RS256→HS256 and the like): an HMAC keyed with the
  // published key's PEM, under every algorithm.
  auto published = jwt::ParseJwks(d.Jwks());  // the gRPC copy of the JWKS
  ASSERT_TRUE(published.ok());
  const jwt::JwtKey* ours = published->Find(KidOf(token));
  ASSERT_NE(ours, nullptr);
  std::string confused = HmacWithPublicKey(token, ours->key.get());
  EXPECT_FALSE(d.Active(creds, confused)) << alg;
  EXPECT_EQ(Refusal(*verifier, confused), jwt::JwtError::kUnsupportedAlgorithm) << alg;
}

TEST_F(JwtE2eTest, PyJwtVerifiesES256) { InteropWithPyJwt(*server_, "ES256"); }

TEST(JwtAlgorithmsTest, PyJwtVerifiesEdDSAAndRS256) {
  for (const char* alg : {"EdDSA", "RS256"}) {
    TokendProcess server({.database_url = FreshDatabase("jwt_alg"), .env = {{"TOKEND_JWT_ALG", alg}}});
    ASSERT_TRUE(server.Start());
    InteropWithPyJwt(server, alg);
  }
}

TEST_F(JwtE2eTest, TamperedTokensAreRefusedByIntrospectAndTheVerifier) {
  Creds creds = d_.NewClient();
  std::string good = d_.IssueOrFail(creds);
  auto verifier = d_.Verifier();
  ASSERT_TRUE(verifier->Verify(good).ok());
  jwt::JwtKey ours = d_.ActiveKey(*dsn_);
  ASSERT_EQ(ours.kid, KidOf(good));
  auto claims = verifier->Verify(good)->claims();
  auto with = [&](auto change) {
    jwt::JwtClaims c = claims;
    change(c);
    return *jwt::SignJwt(ours, c);
  };
  int64_t now = absl::ToUnixSeconds(absl::Now());
  struct Case {
    const char* name;
    std::string token;
    jwt::JwtError error;
  };
  std::vector<Case> cases = {
      {"alg none", AlgNone(good), jwt::JwtError::kUnsupportedAlgorithm},
      {"RS256->HS256 with the public key", HmacWithPublicKey(good, ours.key.get()),
       jwt::JwtError::kUnsupportedAlgorithm},
      {"swapped kid", SwapKid(good, "0123456789abcdef"), jwt::JwtError::kUnknownKey},
      {"changed payload byte", FlipPayloadByte(good), jwt::JwtError::kBadSignature},
      {"expired", with([&](auto& c) { c.iat = c.nbf = now - 7200; c.exp = now - 3600; }),
       jwt::JwtError::kExpired},
      {"not yet valid", with([&](auto& c) { c.nbf = now + 3600; c.exp = now + 7200; }),
       jwt::JwtError::kNotYetValid},
      {"oversized", std::string(9000, 'e'), jwt::JwtError::kTooLarge},
  };
  for (const auto& c : cases) {
    bool active = true;
    grpc::Status st = d_.Introspect(creds, c.token, &active);
    EXPECT_TRUE(!active) << c.name << " " << st.error_message();
    EXPECT_EQ(Refusal(*verifier, c.token), c.error) << c.name;
  }

  // A revoked jti: Introspect says inactive, and so does the verifier once
  // it asks tokend (signatures alone cannot see a revocation).
  client::JwtVerifier online(
      client::HttpJwksSource::Create(d_.Base() + "/.well-known/jwks.json"),
      {.issuer = d_.Issuer(), .audience = ""},
      std::make_unique<client::IntrospectionRevocationChecker>(d_.Base() + "/oauth/introspect",
                                                               creds.first, creds.second));
  ASSERT_TRUE(online.Verify(good).ok());
  grpc::ClientContext ctx;
  client::AddClientAuth(&ctx, creds.first, creds.second);
  v1::RevokeRequest rr;
  rr.set_token(good);
  v1::RevokeResponse rresp;
  ASSERT_TRUE(d_.stub->Revoke(&ctx, rr, &rresp).ok());
  EXPECT_FALSE(d_.Active(creds, good));
  client::JwtVerifier fresh(
      client::HttpJwksSource::Create(d_.Base() + "/.well-known/jwks.json"), {.issuer = d_.Issuer(), .audience = ""},
      std::make_unique<client::IntrospectionRevocationChecker>(d_.Base() + "/oauth/introspect",
                                                               creds.first, creds.second));
  EXPECT_EQ(Refusal(fresh, good), jwt::JwtError::kRevoked);
}

TEST_F(JwtE2eTest, ShortLivedTokenExpires) {
  Creds creds = d_.NewClient(/*ttl=*/1);
  std::string token = d_.IssueOrFail(creds);
  EXPECT_TRUE(d_.Active(creds, token));
  std::this_thread::sleep_for(std::chrono::milliseconds(2200));
  EXPECT_FALSE(d_.Active(creds, token));
  auto verifier = d_.Verifier(absl::ZeroDuration());
  EXPECT_EQ(Refusal(*verifier, token), jwt::JwtError::kExpired);
}

TEST_F(JwtE2eTest, RotationUnderLoadFailsNothing) {
  Creds creds = d_.NewClient();
  std::string before = d_.IssueOrFail(creds);
  std::string old_kid = KidOf(before);
  std::atomic<bool> stop{false};
  std::atomic<int> calls{0}, failures{0};
  std::mutex mu;
  std::vector<std::pair<std::string, std::chrono::steady_clock::time_point>> issued;
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&] {
      Driver d(*server_);
      while (!stop) {
        auto started = std::chrono::steady_clock::now();
        std::string token;
        bool active = false;
        grpc::Status st = d.Issue(creds, &token);
        grpc::Status si = st.ok() ? d.Introspect(creds, token, &active) : st;
        calls += 2;
        if (!st.ok() || !si.ok() || !active) {
          ++failures;
          continue;
        }
        std::lock_guard lock(mu);
        issued.emplace_back(token, started);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));
  auto rotate = RunCommand(BinaryFromEnv("TOKENCTL_BIN"), {"keys", "rotate"}, server_->ClientEnv());
  auto rotated_at = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  stop = true;
  for (auto& t : workers) t.join();

  ASSERT_EQ(rotate.exit_code, 0) << rotate.err;
  EXPECT_TRUE(absl::StrContains(rotate.out, "SIGNING_KEY_STATE_ACTIVE")) << rotate.out;
  EXPECT_EQ(failures.load(), 0) << "of " << calls.load() << " calls";
  EXPECT_GT(calls.load(), 50);
  std::set<std::string> kids_after;
  for (const auto& [token, at] : issued) {
    if (at > rotated_at) kids_after.insert(KidOf(token));  // started after the switch
  }
  ASSERT_EQ(kids_after.size(), 1u) << "every token after the switch carries the new kid";
  std::string new_kid = *kids_after.begin();
  EXPECT_NE(new_kid, old_kid);
  EXPECT_TRUE(absl::StrContains(rotate.out, new_kid));
  // Tokens from before the switch keep verifying, online and offline.
  auto verifier = d_.Verifier();
  EXPECT_TRUE(d_.Active(creds, before));
  auto v = verifier->Verify(before);
  EXPECT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE(verifier->Verify(issued.back().first).ok());
  // Both keys are published; tokenctl lists the old one as retired.
  EXPECT_TRUE(absl::StrContains(d_.Jwks(), old_kid));
  EXPECT_TRUE(absl::StrContains(d_.Jwks(), new_kid));
  auto list = RunCommand(BinaryFromEnv("TOKENCTL_BIN"), {"keys", "list"}, server_->ClientEnv());
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_TRUE(absl::StrContains(list.out, "SIGNING_KEY_STATE_RETIRED")) << list.out;
  EXPECT_TRUE(absl::StrContains(list.out, "publish_until_time")) << list.out;
}

TEST_F(JwtE2eTest, ClientDefaultFormatThroughTokenctl) {
  auto env = server_->ClientEnv();
  std::string ctl = BinaryFromEnv("TOKENCTL_BIN");
  auto created = RunCommand(ctl, {"client", "create", "--name=jwt-default",
                                  "--grant_types=client_credentials", "--allowed_scopes=read",
                                  "--default_token_format=jwt"}, env);
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_TRUE(absl::StrContains(created.out, "TOKEN_FORMAT_JWT")) << created.out;
  auto doc = jwt::ParseJsonObject(created.out.substr(0, created.out.find(", \"client\"")) + "}");
  ASSERT_TRUE(doc.ok()) << created.out;
  std::string id = *jwt::StringMember(*doc, "client_id");
  std::string secret = *jwt::StringMember(*doc, "client_secret");
  auto issued = RunCommand(ctl, {"token", "issue", "--client_id=" + id, "--client_secret=" + secret}, env);
  ASSERT_EQ(issued.exit_code, 0) << issued.err;
  EXPECT_TRUE(absl::StrContains(issued.out, "\"access_token\": \"eyJ")) << issued.out;
  auto opaque = RunCommand(ctl, {"token", "issue", "--client_id=" + id, "--client_secret=" + secret,
                                 "--token_format=opaque"}, env);
  EXPECT_TRUE(absl::StrContains(opaque.out, "\"access_token\": \"tda_")) << opaque.out;
  auto updated = RunCommand(ctl, {"client", "update", id, "--default_token_format=opaque"}, env);
  ASSERT_EQ(updated.exit_code, 0) << updated.err;
  EXPECT_TRUE(absl::StrContains(updated.out, "TOKEN_FORMAT_OPAQUE")) << updated.out;
}

TEST(JwtTlsTest, VerifierFetchesTheJwksOverVerifiedHttps) {
  auto [cert, key] = MakeSelfSignedCert(ScratchDir("jwt_tls"));
  ASSERT_FALSE(cert.empty());
  TokendProcess server({.database_url = FreshDatabase("jwt_tls"), .tls_cert = cert, .tls_key = key});
  ASSERT_TRUE(server.Start());
  Driver d(server);
  Creds creds = d.NewClient();
  std::string token = d.IssueOrFail(creds);
  std::string issuer = "https://" + server.http_addr();
  std::string jwks = issuer + "/.well-known/jwks.json";
  client::JwtVerifier trusting(client::HttpJwksSource::Create(jwks, {.ca_file = cert}),
                               {.issuer = issuer, .audience = ""});
  auto v = trusting.Verify(token);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->claims().client_id, creds.first);
  // The system roots do not know our test CA: no keys, and a precise error.
  client::JwtVerifier untrusting(client::HttpJwksSource::Create(jwks), {.issuer = issuer, .audience = ""});
  EXPECT_EQ(Refusal(untrusting, token), jwt::JwtError::kKeysUnavailable);
}

TEST(JwtReplicasTest, ReplicasAgreeOnTheActiveKeyAndRotateAutomatically) {
  std::string dsn = FreshDatabase("jwt_replicas");
  std::string kek = keys::KeyEncryptionKey::Generate().ToBase64();
  // Replicas share the ledger, the key-encryption key and the issuer.
  std::map<std::string, std::string> env = {{"TOKEND_KEY_ENCRYPTION_KEY", kek},
                                            {"TOKEND_ISSUER", "https://auth.replicas.test"}};
  TokendProcess a({.database_url = dsn, .env = env});
  ASSERT_TRUE(a.Start());
  env["TOKEND_KEY_ROTATION_SECONDS"] = "3";
  TokendProcess b({.database_url = dsn, .env = env});
  ASSERT_TRUE(b.Start());
  Driver da(a), db(b);
  Creds creds = da.NewClient();
  std::string from_a = da.IssueOrFail(creds);
  std::string from_b = db.IssueOrFail(creds);
  EXPECT_EQ(KidOf(from_a), KidOf(from_b)) << "one active key for both";
  EXPECT_TRUE(da.Active(creds, from_b));
  EXPECT_TRUE(db.Active(creds, from_a));
  // b rotates on its interval; a follows through the ledger, and each
  // verifies what the other signs.
  std::string later;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  do {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    later = da.IssueOrFail(creds);
  } while (KidOf(later) == KidOf(from_a) && std::chrono::steady_clock::now() < deadline);
  EXPECT_NE(KidOf(later), KidOf(from_a));
  EXPECT_TRUE(db.Active(creds, later));
  EXPECT_TRUE(da.Active(creds, db.IssueOrFail(creds)));
  EXPECT_TRUE(da.Active(creds, from_a)) << "the retired key still verifies";

  // A replica with another key-encryption key keeps serving opaque tokens
  // and verifying JWTs, mints no JWT, and its log says why.
  env.erase("TOKEND_KEY_ROTATION_SECONDS");
  env["TOKEND_KEY_ENCRYPTION_KEY"] = keys::KeyEncryptionKey::Generate().ToBase64();
  TokendProcess wrong({.database_url = dsn, .env = env});
  ASSERT_TRUE(wrong.Start());
  Driver dw(wrong);
  std::string token;
  grpc::Status st = dw.Issue(creds, &token);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INTERNAL) << st.error_message();
  EXPECT_EQ(client::ErrorFromStatus(st).error, "server_error");
  EXPECT_TRUE(dw.Issue(creds, &token, "", v1::TOKEN_FORMAT_OPAQUE).ok());
  EXPECT_TRUE(dw.Active(creds, da.IssueOrFail(creds)));
  EXPECT_TRUE(absl::StrContains(ReadFile(wrong.log_path()), "TOKEND_KEY_ENCRYPTION_KEY"));
}

}  // namespace
}  // namespace tokend::testing
