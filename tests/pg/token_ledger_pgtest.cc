// The OAuth core against a real PostgreSQL: durability, rotation, races,
// session limits, audit rows, purge.
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/common/secrets.h"
#include "services/token/oauth_error.h"
#include "storage/postgres/migrator.h"
#include "tests/pg/core_stack.h"

namespace tokend::testing {
namespace {

class TokenLedgerTest : public ::testing::Test {
 protected:
  TokenLedgerTest() : stack_(FreshDatabase()) {}

  TokenResponse Issue(const PresentedCredentials& c, TokenRequest r) {
    auto t = stack_.core.Token(c, r);
    EXPECT_TRUE(t.ok()) << t.status();
    return t.ok() ? *t : TokenResponse{};
  }
  TokenRequest Password(const std::string& user, const std::string& pw) {
    TokenRequest r;
    r.grant_type = "password";
    r.username = user;
    r.password = pw;
    return r;
  }
  TokenRequest RefreshOf(const std::string& token) {
    TokenRequest r;
    r.grant_type = "refresh_token";
    r.refresh_token = token;
    return r;
  }
  bool Active(const PresentedCredentials& c, const std::string& token) {
    auto i = stack_.core.Introspect(c, token, "");
    EXPECT_TRUE(i.ok()) << i.status();
    return i.ok() && i->active;
  }

  CoreStack stack_;
};

TEST_F(TokenLedgerTest, ClientCredentialsTokenIsDurableAndStoredOnlyAsDigest) {
  auto client = stack_.NewClient();
  TokenRequest r;
  r.grant_type = "client_credentials";
  TokenResponse t = Issue(client, r);
  EXPECT_TRUE(t.refresh_token.empty());
  EXPECT_EQ(t.scope, "read");
  EXPECT_EQ(t.expires_in, 7200);
  std::string hex = secrets::Hex(secrets::Sha256(t.access_token));
  EXPECT_EQ(stack_.Count("SELECT count(*) FROM tokens WHERE digest = decode('" + hex + "', 'hex')"), 1);
  // The plaintext token and the client secret appear in no row of any table.
  for (const std::string& secret : {t.access_token, *client.client_secret}) {
    for (const char* table : {"tokens", "clients", "audit_events", "users"}) {
      EXPECT_EQ(stack_.Count(absl::StrCat("SELECT count(*) FROM ", table, " t WHERE t::text LIKE '%",
                                          secret, "%'")), 0) << table;
    }
  }
  EXPECT_EQ(stack_.Count("SELECT count(*) FROM audit_events WHERE event = 'token.issued' "
                         "AND client_id = '" + client.client_id + "' AND user_id IS NULL "
                         "AND detail = 'access_token'"), 1);
  // Read back through a fresh stack (no cache): still active.
  CoreStack other(stack_.dsn);
  auto info = other.core.Introspect(client, t.access_token, "");
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(info->active);
  EXPECT_EQ(info->client_id, client.client_id);
  EXPECT_EQ(info->sub, client.client_id);
  EXPECT_EQ(info->exp - info->iat, 7200);
}

TEST_F(TokenLedgerTest, PasswordIsArgon2idAndBadLoginsLookAlike) {
  auto client = stack_.NewClient();
  stack_.NewUser("pedroetb", "password");
  EXPECT_EQ(stack_.Count("SELECT count(*) FROM users WHERE password_hash LIKE '$argon2id$v=19$%'"), 1);
  auto wrong = stack_.core.Token(client, Password("pedroetb", "nope"));
  auto unknown = stack_.core.Token(client, Password("nobody", "password"));
  EXPECT_EQ(oauth::CodeOf(wrong.status()), oauth::ErrorCode::kInvalidGrant);
  EXPECT_EQ(oauth::CodeOf(unknown.status()), oauth::ErrorCode::kInvalidGrant);
  EXPECT_EQ(wrong.status().message(), unknown.status().message());
  TokenResponse t = Issue(client, Password("pedroetb", "password"));
  EXPECT_FALSE(t.refresh_token.empty());
  auto info = stack_.core.Introspect(client, t.access_token, "");
  EXPECT_EQ(info->username, "pedroetb");
}

TEST_F(TokenLedgerTest, RefreshRotatesAndReuseRevokesTheFamily) {
  auto client = stack_.NewClient();
  stack_.NewUser("u", "pw");
  TokenResponse first = Issue(client, Password("u", "pw"));
  TokenResponse second = Issue(client, RefreshOf(first.refresh_token));
  EXPECT_NE(second.refresh_token, first.refresh_token);
  EXPECT_TRUE(Active(client, second.access_token));
  EXPECT_FALSE(Active(client, first.refresh_token));  // used
  // The rotation moved the session's expiry to the new refresh token's and
  // wrote one audit row for the session, its client and its user.
  std::string second_digest =
      "decode('" + secrets::Hex(secrets::Sha256(second.refresh_token)) + "', 'hex')";
  EXPECT_EQ(stack_.Count("SELECT count(*) FROM token_families f JOIN tokens t ON t.family_id = "
                         "f.family_id WHERE t.digest = " + second_digest +
                         " AND f.expires_at = t.expires_at"), 1);
  EXPECT_EQ(stack_.Count("SELECT count(*) FROM audit_events a JOIN tokens t ON t.family_id = "
                         "a.family_id AND t.client_id = a.client_id AND t.user_id = a.user_id "
                         "WHERE a.event = 'token.refreshed' AND t.digest = " + second_digest), 1);
  // Replay the used refresh token: invalid_grant, and the whole family dies.
  auto replay = stack_.core.Token(client, RefreshOf(first.refresh_token));
  EXPECT_EQ(oauth::CodeOf(replay.status()), oauth::ErrorCode::kInvalidGrant);
  EXPECT_FALSE(Active(client, second.access_token));
  EXPECT_FALSE(Active(client, first.access_token));
  auto after = stack_.core.Token(client, RefreshOf(second.refresh_token));
  EXPECT_EQ(oauth::CodeOf(after.status()), oauth::ErrorCode::kInvalidGrant);
  EXPECT_EQ(stack_.Count("SELECT count(*) FROM audit_events WHERE event = 'refresh.reused'"), 1);
}

TEST_F(TokenLedgerTest, SixteenThreadsRacingOneRefreshTokenExactlyOneWins) {
  auto client = stack_.NewClient();
  stack_.NewUser("racer", "pw");
  TokenResponse session = Issue(client, Password("racer", "pw"));
  std::atomic<int> wins{0}, invalid_grant{0}, other{0};
  std::string winner_access;
  std::mutex mu;
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&] {
      auto r = stack_.core.Token(client, RefreshOf(session.refresh_token));
      if (r.ok()) {
        ++wins;
        std::lock_guard lock(mu);
        winner_access = r->access_token;
      } else if (oauth::CodeOf(r.status()) == oauth::ErrorCode::kInvalidGrant) {
        ++invalid_grant;
      } else {
        ++other;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wins.load(), 1);
  EXPECT_EQ(invalid_grant.load(), 15);
  EXPECT_EQ(other.load(), 0);
  // The losers' reuse revoked the family, the winner's new tokens included.
  EXPECT_FALSE(Active(client, winner_access));
  EXPECT_EQ(stack_.Count("SELECT count(*) FROM tokens WHERE revoked_at IS NULL AND user_id IS NOT NULL"), 0);
}

TEST_F(TokenLedgerTest, SessionLimitRevokesTheOldestAcrossThreeLogins) {
  auto client = stack_.NewClient();  // max_user_sessions defaults to 2
  stack_.NewUser("bob", "pw");
  TokenResponse s1 = Issue(client, Password("bob", "pw"));
  TokenResponse s2 = Issue(client, Password("bob", "pw"));
  // Refreshing inside a session does not open a new one.
  s2 = Issue(client, RefreshOf(s2.refresh_token));
  EXPECT_TRUE(Active(client, s1.access_token));
  TokenResponse s3 = Issue(client, Password("bob", "pw"));
  EXPECT_FALSE(Active(client, s1.access_token));
  EXPECT_FALSE(Active(client, s1.refresh_token));
  EXPECT_TRUE(Active(client, s2.access_token));
  EXPECT_TRUE(Active(client, s3.access_token));
  EXPECT_EQ(oauth::CodeOf(stack_.core.Token(client, RefreshOf(s1.refresh_token)).status()),
            oauth::ErrorCode::kInvalidGrant);
  EXPECT_EQ(stack_.Count("SELECT count(*) FROM audit_events WHERE event = 'session.evicted'"), 1);
  // client_credentials tokens never count.
  TokenRequest cc;
  cc.grant_type = "client_credentials";
  for (int i = 0; i < 3; ++i) Issue(client, cc);
  EXPECT_TRUE(Active(client, s2.access_token));
}

TEST_F(TokenLedgerTest, UnlimitedSessionsWhenZero) {
  storage::ClientRecord c;
  c.max_user_sessions = 0;
  auto client = stack_.NewClient(c);
  stack_.NewUser("many", "pw");
  std::vector<TokenResponse> sessions;
  for (int i = 0; i < 4; ++i) sessions.push_back(Issue(client, Password("many", "pw")));
  for (auto& s : sessions) EXPECT_TRUE(Active(client, s.access_token));
}

TEST_F(TokenLedgerTest, ScopesNarrowButNeverWiden) {
  auto client = stack_.NewClient();
  stack_.NewUser("s", "pw");
  TokenRequest r = Password("s", "pw");
  r.scopes = std::vector<std::string>{"read", "write"};
  TokenResponse t = Issue(client, r);
  EXPECT_EQ(t.scope, "read write");
  TokenRequest narrow = RefreshOf(t.refresh_token);
  narrow.scopes = std::vector<std::string>{"read"};
  TokenResponse n = Issue(client, narrow);
  EXPECT_EQ(n.scope, "read");
  // The new refresh token keeps the original scope (RFC 6749 §6).
  TokenResponse back = Issue(client, RefreshOf(n.refresh_token));
  EXPECT_EQ(back.scope, "read write");
  TokenRequest widen = RefreshOf(back.refresh_token);
  widen.scopes = std::vector<std::string>{"read", "admin"};
  EXPECT_EQ(oauth::CodeOf(stack_.core.Token(client, widen).status()), oauth::ErrorCode::kInvalidScope);
  // The failed widening changed nothing: the refresh token still works.
  Issue(client, RefreshOf(back.refresh_token));
}

TEST_F(TokenLedgerTest, RevocationRules) {
  auto a = stack_.NewClient();
  auto b = stack_.NewClient();
  stack_.NewUser("r", "pw");
  TokenResponse t = Issue(a, Password("r", "pw"));
  // Another client's token: refused, unchanged.
  EXPECT_EQ(oauth::CodeOf(stack_.core.Revoke(b, t.access_token, "")), oauth::ErrorCode::kUnauthorizedClient);
  EXPECT_TRUE(Active(a, t.access_token));
  // Another client cannot see it without the introspect permission.
  EXPECT_FALSE(Active(b, t.access_token));
  storage::ClientRecord auditor;
  auditor.permissions = {"introspect"};
  auto c = stack_.NewClient(auditor);
  EXPECT_TRUE(Active(c, t.access_token));
  // Unknown and garbage tokens are not errors.
  EXPECT_TRUE(stack_.core.Revoke(a, "tda_unknown", "access_token").ok());
  EXPECT_TRUE(stack_.core.Revoke(a, std::string(100, '\xff'), "").ok());
  // Revoking the refresh token takes the access token with it.
  ASSERT_TRUE(stack_.core.Revoke(a, t.refresh_token, "refresh_token").ok());
  EXPECT_FALSE(Active(a, t.access_token));
  EXPECT_GE(stack_.Count("SELECT count(*) FROM audit_events WHERE event = 'family.revoked'"), 1);
}

TEST_F(TokenLedgerTest, GroupCommitBatchesConcurrentGrants) {
  auto client = stack_.NewClient();
  TokenRequest r;
  r.grant_type = "client_credentials";
  uint64_t commits_before = stack_.writer.commits();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 64; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 20; ++j) ok += stack_.core.Token(client, r).ok();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1280);
  EXPECT_EQ(stack_.Count("SELECT count(*) FROM tokens"), 1280);
  EXPECT_EQ(stack_.Count("SELECT count(*) FROM audit_events WHERE event = 'token.issued'"), 1280);
  EXPECT_LT(stack_.writer.commits() - commits_before, 1280u);  // grants shared commits
}

TEST_F(TokenLedgerTest, RotatedSecretStopsTheOldOneAtOnce) {
  auto client = stack_.NewClient();
  auto fresh = stack_.client_registry.RotateSecret(client.client_id);
  ASSERT_TRUE(fresh.ok());
  TokenRequest r;
  r.grant_type = "client_credentials";
  EXPECT_EQ(oauth::CodeOf(stack_.core.Token(client, r).status()), oauth::ErrorCode::kInvalidClient);
  EXPECT_TRUE(stack_.core.Token({client.client_id, *fresh}, r).ok());
}

TEST_F(TokenLedgerTest, PurgeDeletesOnlyExpiredRows) {
  storage::ClientRecord c;
  c.access_ttl_seconds = 1;
  auto client = stack_.NewClient(c);
  TokenRequest r;
  r.grant_type = "client_credentials";
  Issue(client, r);
  auto keep = stack_.NewClient();
  Issue(keep, r);
  auto none = stack_.tokens.PurgeExpired(storage::Now(), 100);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0);
  auto purged = stack_.tokens.PurgeExpired(storage::Now() + std::chrono::seconds(5), 100);
  EXPECT_EQ(*purged, 1);
  EXPECT_EQ(stack_.Count("SELECT count(*) FROM tokens"), 1);
}

TEST_F(TokenLedgerTest, DeletingAClientDeletesItsTokensAndSessions) {
  auto client = stack_.NewClient();
  auto other = stack_.NewClient();
  stack_.NewUser("d", "pw");
  TokenRequest cc;
  cc.grant_type = "client_credentials";
  Issue(client, cc);
  Issue(client, Password("d", "pw"));
  TokenResponse kept = Issue(other, cc);
  ASSERT_TRUE(stack_.client_registry.Delete(client.client_id).ok());
  EXPECT_EQ(stack_.Count("SELECT count(*) FROM tokens WHERE client_id = '" + client.client_id + "'"), 0);
  EXPECT_EQ(stack_.Count("SELECT count(*) FROM token_families"), 0);
  EXPECT_TRUE(Active(other, kept.access_token));
  EXPECT_EQ(oauth::CodeOf(stack_.core.Token(client, cc).status()), oauth::ErrorCode::kInvalidClient);
}

TEST(MigrationTest, ConcurrentStartsApplyEachMigrationOnce) {
  auto& cluster = Cluster();
  ASSERT_TRUE(cluster.CreateDatabase("migrate_race").ok());
  std::string dsn = cluster.Dsn("migrate_race");
  std::atomic<int> applied{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      auto r = storage::pg::Migrate(dsn);
      ASSERT_TRUE(r.ok()) << r.status();
      applied += r->size();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(applied.load(), static_cast<int>(storage::pg::EmbeddedMigrations().size()));
  EXPECT_EQ(storage::pg::Migrate(dsn)->size(), 0u);
}

}  // namespace
}  // namespace tokend::testing
