#include "services/admin/role_registry.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace tokend {
namespace {

const storage::RoleChangeActor kAdmin{"", "admin"};

absl::Status CheckText(absl::string_view field, const std::string& v, size_t max) {
  if (v.size() > max) return absl::InvalidArgumentError(absl::StrCat(field, ": too long"));
  for (unsigned char c : v) {
    if (c < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": contains control characters"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckName(absl::string_view field, const std::string& name) {
  if (name.empty() || name.size() > 64) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": must be 1-64 characters"));
  }
  for (unsigned char c : name) {
    if (!absl::ascii_isalnum(c) && c != '_' && c != '.' && c != '-') {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": only letters, digits, '_', '.' and '-'"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status RoleRegistry::Validate(const storage::RoleRecord& r) {
  if (auto st = CheckName("name", r.name); !st.ok()) return st;
  for (const auto& m : r.manages) {
    if (auto st = CheckName("manages", m); !st.ok()) return st;
  }
  if (auto st = CheckText("label", r.label, 200); !st.ok()) return st;
  if (auto st = CheckText("description", r.description, 2000); !st.ok()) return st;
  if (auto st = CheckText("image_url", r.image_url, 2000); !st.ok()) return st;
  if (auto st = CheckText("link", r.link, 2000); !st.ok()) return st;
  if (r.image_width < 0 || r.image_height < 0) {
    return absl::InvalidArgumentError("image_width, image_height: must not be negative");
  }
  return absl::OkStatus();
}

absl::StatusOr<storage::RoleRecord> RoleRegistry::Create(storage::RoleRecord role) {
  if (auto st = Validate(role); !st.ok()) return st;
  role.created_at = role.updated_at = storage::Now();
  if (auto st = roles_.CreateRole(role); !st.ok()) return st;
  if (!role.manages.empty()) {
    if (auto st = roles_.SetManagedRoles(role.name, role.manages); !st.ok()) {
      (void)roles_.DeleteRole(role.name);  // all or nothing for the caller
      return st;
    }
  }
  return roles_.GetRole(role.name);
}

absl::StatusOr<storage::RoleRecord> RoleRegistry::Get(const std::string& name) {
  return roles_.GetRole(name);
}

absl::StatusOr<std::vector<storage::RoleRecord>> RoleRegistry::List() { return roles_.ListRoles(); }

absl::StatusOr<storage::RoleRecord> RoleRegistry::Update(storage::RoleRecord role) {
  if (auto st = Validate(role); !st.ok()) return st;
  if (auto st = roles_.UpdateRole(role); !st.ok()) return st;
  return roles_.GetRole(role.name);
}

absl::Status RoleRegistry::Delete(const std::string& name) { return roles_.DeleteRole(name); }

absl::StatusOr<storage::RoleRecord> RoleRegistry::SetManagedRoles(
    const std::string& name, const std::vector<std::string>& managed) {
  for (const auto& m : managed) {
    if (auto st = CheckName("managed_roles", m); !st.ok()) return st;
  }
  if (auto st = roles_.SetManagedRoles(name, managed); !st.ok()) return st;
  return roles_.GetRole(name);
}

absl::StatusOr<storage::UserRecord> RoleRegistry::FindUser(const std::string& user_id,
                                                           const std::string& username) {
  if (!user_id.empty()) return users_.GetUser(user_id);
  if (!username.empty()) return users_.GetUserByUsername(username);
  return absl::InvalidArgumentError("user_id or username: one is required");
}

absl::StatusOr<bool> RoleRegistry::Grant(const std::string& user_id, const std::string& role) {
  return roles_.GrantRole(user_id, role, kAdmin);
}

absl::StatusOr<bool> RoleRegistry::Revoke(const std::string& user_id, const std::string& role) {
  return roles_.RevokeRole(user_id, role, kAdmin);
}

absl::StatusOr<std::vector<storage::UserRole>> RoleRegistry::ListUserRoles(
    const std::string& user_id) {
  if (auto user = users_.GetUser(user_id); !user.ok()) return user.status();
  return roles_.ListUserRoles(user_id);
}

}  // namespace tokend
