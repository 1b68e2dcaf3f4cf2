// The operator queries against a real PostgreSQL: audit filters, keyset
// paging (also across rows sharing one timestamp), time bounds, page-token
// checks, token listing, and revoke-all batches with the cache and audit.
#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/admin/audit_log.h"
#include "services/admin/token_inventory.h"
#include "services/token/oauth_error.h"
#include "storage/postgres/pg_admin_store.h"
#include "tests/pg/core_stack.h"

namespace tokend::testing {
namespace {

using storage::FromUnixMicros;
using storage::Time;

// 2024-05-01T00:00:00Z plus `seconds`, at the ledger's precision.
Time At(int64_t seconds, int64_t micros = 0) {
  return FromUnixMicros((1714521600 + seconds) * 1000000 + micros);
}

class AdminStoreTest : public ::testing::Test {
 protected:
  AdminStoreTest() : stack_(FreshDatabase("admin")), store_(stack_.pool), audit_(store_),
                     inventory_(store_, stack_.cache) {}

  // An audit row written as the ledger writes them, at a chosen time.
  void Row(const std::string& event, const std::string& client, const std::string& user, Time at) {
    pqxx::connection c(stack_.dsn);
    pqxx::nontransaction tx(c);
    tx.exec_params(
        "INSERT INTO audit_events (at, event, client_id, user_id, detail) VALUES "
        "(timestamptz 'epoch' + $1::int8 * interval '1 microsecond', $2, nullif($3, ''), "
        "nullif($4, ''), 'test')",
        storage::ToUnixMicros(at), event, client, user);
  }

  std::vector<storage::AuditEventRecord> All(AuditListRequest r) {
    std::vector<storage::AuditEventRecord> out;
    for (int pages = 0; pages < 100; ++pages) {
      auto page = audit_.List(r);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      out.insert(out.end(), page->events.begin(), page->events.end());
      if (page->next_page_token.empty()) break;
      r.page_token = page->next_page_token;
    }
    return out;
  }

  std::vector<std::string> Events(const std::vector<storage::AuditEventRecord>& rows) {
    std::vector<std::string> out;
    for (const auto& r : rows) out.push_back(absl::StrCat(r.event, "/", r.client_id, "/", r.user_id));
    return out;
  }

  CoreStack stack_;
  storage::pg::PgAdminStore store_;
  AuditLog audit_;
  TokenInventory inventory_;
};

TEST_F(AdminStoreTest, FiltersCombineWithAnd) {
  Row("token.issued", "app", "", At(1));
  Row("session.opened", "app", "alice", At(2));
  Row("family.revoked", "app", "alice", At(3));
  Row("session.opened", "web", "alice", At(4));
  Row("session.opened", "app", "bob", At(5));

  using V = std::vector<std::string>;
  EXPECT_EQ(Events(All({.client_id = "app"})),
            (V{"session.opened/app/bob", "family.revoked/app/alice", "session.opened/app/alice",
               "token.issued/app/"}));
  EXPECT_EQ(Events(All({.user_id = "alice"})),
            (V{"session.opened/web/alice", "family.revoked/app/alice", "session.opened/app/alice"}));
  EXPECT_EQ(Events(All({.client_id = "app", .user_id = "alice"})),
            (V{"family.revoked/app/alice", "session.opened/app/alice"}));
  EXPECT_EQ(Events(All({.client_id = "app", .user_id = "alice", .events = {"session.opened"}})),
            (V{"session.opened/app/alice"}));
  EXPECT_EQ(Events(All({.events = {"token.issued", "family.revoked"}})),
            (V{"family.revoked/app/alice", "token.issued/app/"}));
  EXPECT_TRUE(All({.client_id = "nobody"}).empty());
}

TEST_F(AdminStoreTest, PagesCrossRowsSharingOneTimestampWithoutLossOrRepeats) {
  Row("token.issued", "app", "", At(9));
  for (int i = 0; i < 23; ++i) Row("token.issued", "app", "", At(5));  // one instant
  Row("token.issued", "app", "", At(1));
  std::vector<storage::AuditEventRecord> rows = All({.client_id = "app", .page_size = 4});
  ASSERT_EQ(rows.size(), 25u);
  std::set<int64_t> ids;
  for (size_t i = 0; i < rows.size(); ++i) {
    ids.insert(rows[i].id);
    if (i > 0) {  // newest first: (at, id) strictly decreasing
      EXPECT_TRUE(rows[i].at < rows[i - 1].at ||
                  (rows[i].at == rows[i - 1].at && rows[i].id < rows[i - 1].id)) << i;
    }
  }
  EXPECT_EQ(ids.size(), 25u);
  EXPECT_EQ(rows.front().at, At(9));
  EXPECT_EQ(rows.back().at, At(1));

  auto first = audit_.List({.client_id = "app", .page_size = 25});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->events.size(), 25u);
  EXPECT_TRUE(first->next_page_token.empty());  // exactly one full page: no empty extra page
}

TEST_F(AdminStoreTest, StartIsInclusiveAndEndExclusive) {
  Row("a", "app", "", At(10, -1));
  Row("b", "app", "", At(10));
  Row("c", "app", "", At(20, -1));
  Row("d", "app", "", At(20));
  using V = std::vector<std::string>;
  EXPECT_EQ(Events(All({.start = At(10), .end = At(20)})), (V{"c/app/", "b/app/"}));
  EXPECT_EQ(Events(All({.start = At(10)})), (V{"d/app/", "c/app/", "b/app/"}));
  EXPECT_EQ(Events(All({.end = At(10)})), (V{"a/app/"}));
  auto backwards = audit_.List({.start = At(20), .end = At(10)});
  EXPECT_EQ(backwards.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(oauth::CodeOf(backwards.status()), oauth::ErrorCode::kInvalidRequest);
}

TEST_F(AdminStoreTest, MalformedTamperedOrForeignPageTokensAreInvalidRequest) {
  for (int i = 0; i < 5; ++i) Row("token.issued", "app", "", At(i));
  auto page = audit_.List({.client_id = "app", .page_size = 2});
  ASSERT_TRUE(page.ok());
  ASSERT_FALSE(page->next_page_token.empty());
  std::string raw;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(page->next_page_token, &raw));
  std::string tampered = raw;
  tampered.back() = 'x';  // the id no longer a number
  std::string other_filters = page->next_page_token;

  for (const std::string& token :
       {std::string("not base64!"), std::string("AAAA"), absl::WebSafeBase64Escape(tampered),
        absl::WebSafeBase64Escape("tokens|" + raw.substr(6)), std::string(600, 'A')}) {
    auto bad = audit_.List({.client_id = "app", .page_size = 2, .page_token = token});
    EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument) << token;
    EXPECT_EQ(oauth::CodeOf(bad.status()), oauth::ErrorCode::kInvalidRequest) << token;
  }
  // A token of another query (other filters) is refused too.
  auto foreign = audit_.List({.client_id = "web", .page_size = 2, .page_token = other_filters});
  EXPECT_EQ(foreign.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(audit_.List({.page_size = -1}).status().code(), absl::StatusCode::kInvalidArgument);
  // And the genuine one still works.
  EXPECT_TRUE(audit_.List({.client_id = "app", .page_size = 2, .page_token = other_filters}).ok());
}

TEST_F(AdminStoreTest, ListsAUsersTokensWithoutDigestsAndRevokesThemAll) {
  storage::ClientRecord c;
  c.max_user_sessions = 0;
  auto client = stack_.NewClient(c);
  auto other_client = stack_.NewClient();
  std::string alice = stack_.NewUser("alice", "pw");
  stack_.NewUser("bob", "pw");
  auto login = [&](const PresentedCredentials& cl, const std::string& user) {
    TokenRequest r;
    r.grant_type = "password";
    r.username = user;
    r.password = "pw";
    auto t = stack_.core.Token(cl, r);
    EXPECT_TRUE(t.ok()) << t.status();
    return t.ok() ? *t : TokenResponse{};
  };
  std::vector<TokenResponse> alices;
  for (int i = 0; i < 3; ++i) alices.push_back(login(client, "alice"));
  TokenResponse bobs = login(client, "bob");
  TokenRequest cc;
  cc.grant_type = "client_credentials";
  auto machine = stack_.core.Token(client, cc);
  ASSERT_TRUE(machine.ok());
  for (const auto& t : alices) ASSERT_TRUE(stack_.core.Introspect(client, t.access_token, "")->active);

  // Listing: three sessions of two tokens, newest first, paged by 4.
  std::vector<storage::TokenRecord> listed;
  TokenListRequest req{{alice, ""}, false, 4, ""};
  for (;;) {
    auto page = inventory_.List(req);
    ASSERT_TRUE(page.ok()) << page.status();
    listed.insert(listed.end(), page->tokens.begin(), page->tokens.end());
    if (page->next_page_token.empty()) break;
    req.page_token = page->next_page_token;
  }
  ASSERT_EQ(listed.size(), 6u);
  std::set<std::string> families, jtis;
  for (const auto& t : listed) {
    EXPECT_TRUE(t.digest.empty());
    EXPECT_EQ(t.user_id, alice);
    EXPECT_EQ(t.client_id, client.client_id);
    EXPECT_EQ(t.format, t.kind == storage::TokenKind::kAccess ? storage::TokenFormat::kOpaque
                                                               : storage::TokenFormat::kDefault);
    families.insert(t.family_id);
    jtis.insert(t.jti);
  }
  EXPECT_EQ(families.size(), 3u);
  EXPECT_EQ(jtis.size(), 6u);
  auto by_client = inventory_.List({{"", client.client_id}, false, 100, ""});
  ASSERT_TRUE(by_client.ok());
  EXPECT_EQ(by_client->tokens.size(), 9u);  // alice 6, bob 2, the client's own 1
  EXPECT_EQ(inventory_.List({{alice, client.client_id}, false, 0, ""}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(inventory_.List({{"", ""}, false, 0, ""}).status().code(),
            absl::StatusCode::kInvalidArgument);

  // Revoke-all for alice: counted first, then one batch, then done.
  std::vector<RevokeProgress> seen;
  auto done = inventory_.RevokeAll({alice, ""}, [&](const RevokeProgress& p) {
    seen.push_back(p);
    return true;
  });
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_TRUE(done->done);
  EXPECT_EQ(done->total_families, 3);
  EXPECT_EQ(done->revoked_families, 3);
  EXPECT_EQ(done->revoked_tokens, 0);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].revoked_families, 0);
  // Inactive at once through the same (cached) core; bob and the client's own token untouched.
  for (const auto& t : alices) {
    EXPECT_FALSE(stack_.core.Introspect(client, t.access_token, "")->active);
    EXPECT_FALSE(stack_.core.Token(client, [&] {
      TokenRequest r;
      r.grant_type = "refresh_token";
      r.refresh_token = t.refresh_token;
      return r;
    }()).ok());
  }
  EXPECT_TRUE(stack_.core.Introspect(client, bobs.access_token, "")->active);
  EXPECT_TRUE(stack_.core.Introspect(client, machine->access_token, "")->active);
  EXPECT_EQ(stack_.Count("SELECT count(*) FROM audit_events WHERE event = 'family.revoked' "
                         "AND user_id = '" + alice + "' AND detail = 'revoked by admin'"), 3);
  EXPECT_TRUE(inventory_.List({{alice, ""}, false, 0, ""})->tokens.empty());
  EXPECT_EQ(inventory_.List({{alice, ""}, true, 0, ""})->tokens.size(), 6u);

  // Revoke-all for the client: bob's session and the client_credentials token.
  auto client_done = inventory_.RevokeAll({"", client.client_id}, [](const RevokeProgress&) { return true; });
  ASSERT_TRUE(client_done.ok());
  EXPECT_EQ(client_done->revoked_families, 1);
  EXPECT_EQ(client_done->revoked_tokens, 1);
  EXPECT_FALSE(stack_.core.Introspect(client, bobs.access_token, "")->active);
  EXPECT_FALSE(stack_.core.Introspect(client, machine->access_token, "")->active);
  EXPECT_EQ(stack_.Count("SELECT count(*) FROM audit_events WHERE event = 'token.revoked' "
                         "AND client_id = '" + client.client_id + "'"), 1);
  (void)other_client;
}

}  // namespace
}  // namespace tokend::testing
