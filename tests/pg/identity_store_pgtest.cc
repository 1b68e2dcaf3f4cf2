// The identity ledger (migration V004) against a real PostgreSQL: roles and
// what they manage, grants and revocations with their audit rows, cascades,
// and users found by email.
#include <pqxx/pqxx>

#include "gtest/gtest.h"
#include "storage/postgres/connection_pool.h"
#include "storage/postgres/pg_role_store.h"
#include "storage/postgres/pg_user_store.h"
#include "tests/testing/pg_harness.h"

namespace tokend::testing {
namespace {

using storage::RoleRecord;
using storage::UserRecord;

class IdentityStoreTest : public ::testing::Test {
 protected:
  IdentityStoreTest()
      : dsn_(FreshDatabase("identity")), pool_({.dsn = dsn_, .size = 4}), users_(pool_), roles_(pool_) {}

  std::string NewUser(const std::string& name, const std::string& email) {
    UserRecord u;
    u.id = "u-" + name;
    u.username = name;
    u.email = email;
    u.created_at = u.updated_at = storage::Now();
    EXPECT_TRUE(users_.CreateUser(u).ok());
    return u.id;
  }
  void NewRole(const std::string& name, bool badge = true, bool active = true) {
    RoleRecord r;
    r.name = name;
    r.is_badge = badge;
    r.is_active = active;
    r.label = name + " label";
    r.created_at = r.updated_at = storage::Now();
    ASSERT_TRUE(roles_.CreateRole(r).ok()) << name;
  }
  int64_t Count(const std::string& sql) {
    pqxx::connection c(dsn_);
    pqxx::nontransaction tx(c);
    return tx.exec(sql)[0][0].as<int64_t>();
  }

  std::string dsn_;
  storage::pg::ConnectionPool pool_;
  storage::pg::PgUserStore users_;
  storage::pg::PgRoleStore roles_;
};

TEST_F(IdentityStoreTest, RolesAndTheRolesTheyManage) {
  NewRole("cloud_subscriber");
  NewRole("cloud_has_subscription");
  NewRole("cloud_badger", false);
  EXPECT_TRUE(absl::IsAlreadyExists(roles_.CreateRole(RoleRecord{.name = "cloud_badger"})));

  ASSERT_TRUE(roles_.SetManagedRoles("cloud_badger", {"cloud_subscriber", "cloud_has_subscription",
                                                      "cloud_subscriber"}).ok());
  auto badger = roles_.GetRole("cloud_badger");
  ASSERT_TRUE(badger.ok());
  EXPECT_EQ(badger->manages,
            (std::vector<std::string>{"cloud_has_subscription", "cloud_subscriber"}));
  EXPECT_FALSE(badger->is_badge);

  // An unknown managed role changes nothing.
  EXPECT_TRUE(absl::IsNotFound(roles_.SetManagedRoles("cloud_badger", {"nope"})));
  EXPECT_EQ(roles_.GetRole("cloud_badger")->manages.size(), 2u);
  EXPECT_TRUE(absl::IsNotFound(roles_.SetManagedRoles("nope", {})));

  RoleRecord sub = *roles_.GetRole("cloud_subscriber");
  sub.description = "Blender Studio subscriber";
  sub.image_url = "https://example.test/sub.png";
  sub.image_width = 64;
  sub.image_height = 32;
  sub.is_active = false;
  ASSERT_TRUE(roles_.UpdateRole(sub).ok());
  auto back = roles_.GetRole("cloud_subscriber");
  EXPECT_EQ(back->description, "Blender Studio subscriber");
  EXPECT_EQ(back->image_width, 64);
  EXPECT_FALSE(back->is_active);
  EXPECT_TRUE(absl::IsNotFound(roles_.UpdateRole(RoleRecord{.name = "nope"})));

  auto all = roles_.ListRoles();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].name, "cloud_badger");

  // Deleting a role drops it from the roles that managed it.
  ASSERT_TRUE(roles_.DeleteRole("cloud_subscriber").ok());
  EXPECT_EQ(roles_.GetRole("cloud_badger")->manages,
            (std::vector<std::string>{"cloud_has_subscription"}));
  EXPECT_TRUE(absl::IsNotFound(roles_.DeleteRole("cloud_subscriber")));
}

TEST_F(IdentityStoreTest, GrantAndRevokeAreIdempotentAndAuditedInTheSameTransaction) {
  NewRole("cloud_subscriber");
  std::string alice = NewUser("alice", "alice@example.test");
  storage::RoleChangeActor by{"", "user:store"};

  auto granted = roles_.GrantRole(alice, "cloud_subscriber", by);
  ASSERT_TRUE(granted.ok()) << granted.status();
  EXPECT_TRUE(*granted);
  auto again = roles_.GrantRole(alice, "cloud_subscriber", by);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);  // no-op: no second audit row
  EXPECT_EQ(Count("SELECT count(*) FROM audit_events WHERE event = 'role_granted' AND user_id = '" +
                  alice + "' AND detail = 'role=cloud_subscriber by=user:store'"),
            1);

  auto held = roles_.ListUserRoles(alice);
  ASSERT_TRUE(held.ok());
  ASSERT_EQ(held->size(), 1u);
  EXPECT_EQ((*held)[0].role.name, "cloud_subscriber");
  EXPECT_EQ((*held)[0].role.label, "cloud_subscriber label");
  EXPECT_GT(storage::ToUnixMicros((*held)[0].granted_at), 0);

  EXPECT_TRUE(*roles_.RevokeRole(alice, "cloud_subscriber", by));
  EXPECT_FALSE(*roles_.RevokeRole(alice, "cloud_subscriber", by));
  EXPECT_FALSE(*roles_.RevokeRole(alice, "no_such_role", by));
  EXPECT_EQ(Count("SELECT count(*) FROM audit_events WHERE event = 'role_revoked'"), 1);
  EXPECT_TRUE(roles_.ListUserRoles(alice)->empty());

  EXPECT_TRUE(absl::IsNotFound(roles_.GrantRole(alice, "no_such_role", by).status()));
  EXPECT_TRUE(absl::IsNotFound(roles_.GrantRole("nobody", "cloud_subscriber", by).status()));
  EXPECT_TRUE(absl::IsNotFound(roles_.RevokeRole("nobody", "cloud_subscriber", by).status()));
  EXPECT_EQ(Count("SELECT count(*) FROM audit_events WHERE event LIKE 'role_%'"), 2);
}

TEST_F(IdentityStoreTest, DeletingAUserOrARoleDeletesTheGrant) {
  NewRole("a");
  NewRole("b");
  std::string bob = NewUser("bob", "bob@example.test");
  ASSERT_TRUE(roles_.GrantRole(bob, "a", {}).ok());
  ASSERT_TRUE(roles_.GrantRole(bob, "b", {}).ok());
  ASSERT_TRUE(roles_.DeleteRole("a").ok());
  EXPECT_EQ(roles_.ListUserRoles(bob)->size(), 1u);
  ASSERT_TRUE(users_.DeleteUser(bob).ok());
  EXPECT_EQ(Count("SELECT count(*) FROM user_roles"), 0);
}

TEST_F(IdentityStoreTest, UsersAreFoundByEmailIgnoringCaseAndEmailsAreUnique) {
  std::string carol = NewUser("carol", "Carol+Studio@Example.test");
  auto found = users_.GetUserByEmail("carol+studio@example.TEST");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->id, carol);
  EXPECT_TRUE(absl::IsNotFound(users_.GetUserByEmail("nobody@example.test").status()));
  EXPECT_TRUE(absl::IsNotFound(users_.GetUserByEmail("").status()));

  UserRecord dup;
  dup.id = "u-dup";
  dup.username = "dup";
  dup.email = "CAROL+studio@example.test";
  dup.created_at = dup.updated_at = storage::Now();
  EXPECT_TRUE(absl::IsAlreadyExists(users_.CreateUser(dup)));
  // Users without an email are not constrained by it.
  NewUser("no-mail-1", "");
  NewUser("no-mail-2", "");
  EXPECT_TRUE(absl::IsNotFound(users_.GetUserByEmail("").status()));
}

TEST_F(IdentityStoreTest, ProfileFieldsRoundTrip) {
  std::string dave = NewUser("dave", "dave@example.test");
  UserRecord u = *users_.GetUser(dave);
  EXPECT_FALSE(u.confirmed_email_at.has_value());
  EXPECT_FALSE(u.date_deletion_requested.has_value());
  EXPECT_EQ(u.avatar_url, "");
  storage::Time confirmed = storage::FromUnixMicros(1700000000123456);
  u.confirmed_email_at = confirmed;
  u.avatar_url = "https://example.test/dave.png";
  ASSERT_TRUE(users_.UpdateUser(u).ok());
  UserRecord back = *users_.GetUser(dave);
  ASSERT_TRUE(back.confirmed_email_at.has_value());
  EXPECT_EQ(storage::ToUnixMicros(*back.confirmed_email_at), 1700000000123456);
  EXPECT_FALSE(back.date_deletion_requested.has_value());
  EXPECT_EQ(back.avatar_url, "https://example.test/dave.png");
  back.confirmed_email_at.reset();
  ASSERT_TRUE(users_.UpdateUser(back).ok());
  EXPECT_FALSE(users_.GetUser(dave)->confirmed_email_at.has_value());
}

}  // namespace
}  // namespace tokend::testing
