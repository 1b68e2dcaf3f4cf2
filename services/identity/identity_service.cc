#include "services/identity/identity_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/identity/identity_errors.h"
#include "services/token/oauth_error.h"

namespace tokend::identity {
namespace {

absl::Status RequireScope(const BearerPrincipal& p, absl::string_view scope) {
  return p.HasScope(scope) ? absl::OkStatus() : InsufficientScope(scope);
}

absl::Status RequireOwner(const BearerPrincipal& p) {
  if (!p.user_id().empty()) return absl::OkStatus();
  return AccessDenied("The access token belongs to a client, not to a user.");
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

absl::StatusOr<UserProfile> IdentityService::Profile(storage::UserRecord user) {
  auto roles = roles_.ListUserRoles(user.id);
  if (!roles.ok()) return roles.status();
  UserProfile out;
  user.password_hash.clear();
  out.user = std::move(user);
  for (const auto& r : *roles) {
    if (r.role.is_active) out.roles.push_back(r.role.name);
  }
  return out;
}

absl::StatusOr<UserProfile> IdentityService::Me(const BearerPrincipal& principal) {
  if (auto st = RequireScope(principal, kScopeEmail); !st.ok()) return st;
  if (auto st = RequireOwner(principal); !st.ok()) return st;
  auto user = users_.GetUser(principal.user_id());
  if (absl::IsNotFound(user.status())) {
    // Deleting a user deletes their tokens; a cached token may outlive that briefly.
    return oauth::Error(oauth::ErrorCode::kInvalidToken, "The token's owner no longer exists.");
  }
  if (!user.ok()) return user.status();
  return Profile(*std::move(user));
}

absl::StatusOr<UserProfile> IdentityService::UserInfo(const BearerPrincipal& principal,
                                                      const std::string& user_id) {
  if (auto st = RequireScope(principal, kScopeUserInfo); !st.ok()) return st;
  auto user = users_.GetUser(user_id);
  if (absl::IsNotFound(user.status())) {
    return oauth::Error(oauth::ErrorCode::kNotFound, "There is no user with that id.");
  }
  if (!user.ok()) return user.status();
  return Profile(*std::move(user));
}

absl::StatusOr<BadgeList> IdentityService::Badges(const BearerPrincipal& principal,
                                                  const std::string& user_id) {
  if (auto st = RequireScope(principal, kScopeBadge); !st.ok()) return st;
  if (auto st = RequireOwner(principal); !st.ok()) return st;
  if (principal.user_id() != user_id) {
    return AccessDenied("Badges are shown only to the token's owner.");
  }
  auto roles = roles_.ListUserRoles(user_id);
  if (!roles.ok()) return roles.status();
  BadgeList out{user_id, {}};
  for (const auto& r : *roles) {
    if (r.role.is_active && r.role.is_badge) out.badges.push_back(r.role);
  }
  return out;
}

absl::Status IdentityService::CheckMayManage(const BearerPrincipal& principal,
                                             const std::string& role) {
  if (auto st = RequireOwner(principal); !st.ok()) return st;
  auto held = roles_.ListUserRoles(principal.user_id());
  if (!held.ok()) return held.status();
  bool manages = std::any_of(held->begin(), held->end(), [&](const storage::UserRole& r) {
    return r.role.is_active && Contains(r.role.manages, role);
  });
  if (!manages) return AccessDenied("The token's owner may not manage this role.");
  auto target = roles_.GetRole(role);
  if (absl::IsNotFound(target.status())) return AccessDenied("The role is not an active badge.");
  if (!target.ok()) return target.status();
  if (!target->is_active || !target->is_badge) {
    return AccessDenied("The role is not an active badge.");
  }
  return absl::OkStatus();
}

absl::StatusOr<BadgerResult> IdentityService::Badger(bool grant, const BearerPrincipal& principal,
                                                     const std::string& role,
                                                     const std::string& email) {
  if (auto st = RequireScope(principal, kScopeBadger); !st.ok()) return st;
  if (auto st = CheckMayManage(principal, role); !st.ok()) return st;
  auto user = users_.GetUserByEmail(email);
  if (absl::IsNotFound(user.status())) {
    return oauth::Error(oauth::ErrorCode::kUnknownUser, "No user has that email address.");
  }
  if (!user.ok()) return user.status();
  storage::RoleChangeActor by{principal.client_id(), absl::StrCat("user:", principal.user_id())};
  auto changed = grant ? roles_.GrantRole(user->id, role, by) : roles_.RevokeRole(user->id, role, by);
  if (absl::IsNotFound(changed.status())) {
    // Deleted between the checks and the change.
    return oauth::Error(oauth::ErrorCode::kUnknownUser, "No user has that email address.");
  }
  if (!changed.ok()) return changed.status();
  return *changed ? BadgerResult::kOk : BadgerResult::kNoOp;
}

absl::StatusOr<BadgerResult> IdentityService::BadgerGrant(const BearerPrincipal& principal,
                                                          const std::string& role,
                                                          const std::string& email) {
  return Badger(true, principal, role, email);
}

absl::StatusOr<BadgerResult> IdentityService::BadgerRevoke(const BearerPrincipal& principal,
                                                           const std::string& role,
                                                           const std::string& email) {
  return Badger(false, principal, role, email);
}

absl::StatusOr<AuthenticatedUser> IdentityService::Authenticate(const BearerPrincipal& principal,
                                                                const std::string& email,
                                                                const std::string& password) {
  if (auto st = RequireScope(principal, kScopeAuthenticate); !st.ok()) return st;
  if (email.empty() || password.empty()) {
    return oauth::InvalidRequest("Both email and password are required.");
  }
  constexpr GuessKind kKind = GuessKind::kPassword;
  storage::Time now = storage::Now();
  if (throttle_ != nullptr) {
    if (auto st = throttle_->Admit(kKind, email, "", now); !st.ok()) return st;
  }
  auto user = users_.GetUserByEmail(email);
  if (!user.ok() && !absl::IsNotFound(user.status())) return user.status();
  std::string hash = user.ok() ? user->password_hash : "";
  // Verify even for an unknown email, against a dummy: both cost the same.
  if (!hasher_.Verify(hash, password) || !user.ok()) {
    if (throttle_ != nullptr) {
      if (auto counted = throttle_->RecordFailure(kKind, email, "", now); !counted.ok()) {
        return counted.status();
      }
    }
    return oauth::Error(oauth::ErrorCode::kBadPassword, "The email or password is incorrect.");
  }
  if (throttle_ != nullptr) {
    if (auto st = throttle_->RecordSuccess(kKind, email); !st.ok()) return st;
  }
  return AuthenticatedUser{user->id, user->email, user->full_name};
}

absl::StatusOr<std::string> IdentityService::CreateUser(const BearerPrincipal& principal,
                                                        const NewUser& n) {
  if (auto st = RequireScope(principal, kScopeUserCreate); !st.ok()) return st;
  if (n.email.empty() || n.full_name.empty() || n.password.empty()) {
    return oauth::InvalidRequest("email, full_name and password are required.");
  }
  auto existing = users_.GetUserByEmail(n.email);
  if (existing.ok()) {
    return oauth::Error(oauth::ErrorCode::kUserExists, "A user with that email already exists.");
  }
  if (!absl::IsNotFound(existing.status())) return existing.status();
  storage::UserRecord u;
  u.username = n.email;
  u.email = n.email;
  u.full_name = n.full_name;
  u.nickname = n.nickname;
  auto created = registry_.Create(u, n.password);
  if (absl::IsAlreadyExists(created.status())) {  // a concurrent create, or the username
    return oauth::Error(oauth::ErrorCode::kUserExists, "A user with that email already exists.");
  }
  if (absl::IsInvalidArgument(created.status())) {
    // The registry's messages name the field and are safe to show.
    return oauth::InvalidRequest(created.status().message());
  }
  if (!created.ok()) return created.status();
  return created->id;
}

}  // namespace tokend::identity
