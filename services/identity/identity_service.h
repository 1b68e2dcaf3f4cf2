// Blender ID's identity API (users, roles, badges; seed 002), free of gRPC,
// HTTP and SQL: the HTTP endpoints (services/http/identity_endpoints) and the
// gRPC IdentityService (services/grpc/identity_grpc_service) both translate
// into these calls. Every call takes a verified BearerPrincipal and first
// checks the scope it needs (insufficient_scope otherwise). Blocking: call
// from an executor thread.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/admin/user_registry.h"
#include "services/identity/bearer_principal.h"
#include "services/token/guess_throttle.h"
#include "services/token/password_hasher.h"
#include "storage/identity_store.h"
#include "storage/ledger.h"

namespace tokend::identity {

// The scopes of seed 002 and what they open.
inline constexpr char kScopeEmail[] = "email";            // Me (the owner's profile)
inline constexpr char kScopeBadge[] = "badge";            // Badges of the owner
inline constexpr char kScopeBadger[] = "badger";          // BadgerGrant / BadgerRevoke
inline constexpr char kScopeAuthenticate[] = "authenticate";
inline constexpr char kScopeUserInfo[] = "userinfo";      // UserInfo of any user
inline constexpr char kScopeUserCreate[] = "usercreate";  // CreateUser

// A user as /api/me shows them: the record and the names of their active roles.
struct UserProfile {
  storage::UserRecord user;
  std::vector<std::string> roles;  // active roles, by name
};

// /api/badges/<user_id>: the user's active badge roles.
struct BadgeList {
  std::string user_id;
  std::vector<storage::RoleRecord> badges;  // by name
};

// Blender ID's {"result": "ok"} and {"result": "no-op"}.
enum class BadgerResult { kOk, kNoOp };

struct AuthenticatedUser {
  std::string user_id;
  std::string email;
  std::string full_name;
};

struct NewUser {
  std::string email;
  std::string full_name;
  std::string password;
  std::string nickname;  // optional
};

class IdentityService {
 public:
  // `throttle` (optional) slows password guessing through Authenticate.
  IdentityService(storage::UserStore& users, storage::RoleStore& roles, UserRegistry& registry,
                  const PasswordHasher& hasher, GuessThrottle* throttle = nullptr)
      : users_(users), roles_(roles), registry_(registry), hasher_(hasher), throttle_(throttle) {}

  // Scope email. The token owner's profile; access_denied for a client's own
  // token (it has no owner).
  absl::StatusOr<UserProfile> Me(const BearerPrincipal& principal);

  // Scope userinfo. Any user's profile; not_found when there is no such user.
  absl::StatusOr<UserProfile> UserInfo(const BearerPrincipal& principal, const std::string& user_id);

  // Scope badge, and only for the token's owner (access_denied otherwise).
  absl::StatusOr<BadgeList> Badges(const BearerPrincipal& principal, const std::string& user_id);

  // Scope badger. The owner must hold an active role that manages `role`,
  // and `role` must be an active badge (access_denied otherwise); unknown
  // `email` → unknown_user. kNoOp when the user already held (or, for
  // revoke, did not hold) the role. Each change writes an audit row.
  absl::StatusOr<BadgerResult> BadgerGrant(const BearerPrincipal& principal,
                                           const std::string& role, const std::string& email);
  absl::StatusOr<BadgerResult> BadgerRevoke(const BearerPrincipal& principal,
                                            const std::string& role, const std::string& email);

  // Scope authenticate. invalid_request when a field is missing; badpw when
  // no user has that email or the password does not match (alike in time);
  // rate_limited while the account owes a guessing wait. The throttle counts
  // per account only: the caller is an application server speaking for many
  // users, so its address would lock them all.
  absl::StatusOr<AuthenticatedUser> Authenticate(const BearerPrincipal& principal,
                                                 const std::string& email,
                                                 const std::string& password);

  // Scope usercreate. invalid_request for a missing or malformed field;
  // exists when the email is taken. The username is the email. Returns the
  // new user's id.
  absl::StatusOr<std::string> CreateUser(const BearerPrincipal& principal, const NewUser& user);

 private:
  absl::StatusOr<UserProfile> Profile(storage::UserRecord user);
  absl::StatusOr<BadgerResult> Badger(bool grant, const BearerPrincipal& principal,
                                      const std::string& role, const std::string& email);
  // access_denied unless the owner holds an active role managing `role` and
  // `role` is an active badge.
  absl::Status CheckMayManage(const BearerPrincipal& principal, const std::string& role);

  storage::UserStore& users_;
  storage::RoleStore& roles_;
  UserRegistry& registry_;
  const PasswordHasher& hasher_;
  GuessThrottle* throttle_;
};

}  // namespace tokend::identity
