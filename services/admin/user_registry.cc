#include "services/admin/user_registry.h"

#include "absl/strings/str_cat.h"
#include "services/common/secrets.h"

namespace tokend {
namespace {

absl::Status CheckText(absl::string_view field, const std::string& v, size_t max) {
  if (v.size() > max) return absl::InvalidArgumentError(absl::StrCat(field, ": too long"));
  for (unsigned char c : v) {
    if (c < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": contains control characters"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckPassword(const std::string& password) {
  if (password.size() > 1024) return absl::InvalidArgumentError("password: longer than 1024 bytes");
  return absl::OkStatus();
}

}  // namespace

absl::Status UserRegistry::Validate(const storage::UserRecord& u) {
  if (u.username.empty()) return absl::InvalidArgumentError("username: must not be empty");
  if (auto st = CheckText("username", u.username, 200); !st.ok()) return st;
  if (auto st = CheckText("email", u.email, 320); !st.ok()) return st;
  if (!u.email.empty() && u.email.find('@') == std::string::npos) {
    return absl::InvalidArgumentError("email: not an address");
  }
  if (auto st = CheckText("full_name", u.full_name, 200); !st.ok()) return st;
  if (auto st = CheckText("avatar_url", u.avatar_url, 2000); !st.ok()) return st;
  return CheckText("nickname", u.nickname, 200);
}

absl::StatusOr<storage::UserRecord> UserRegistry::Create(storage::UserRecord user,
                                                         const std::string& password) {
  if (auto st = Validate(user); !st.ok()) return st;
  if (auto st = CheckPassword(password); !st.ok()) return st;
  user.id = secrets::NewUuid();
  if (!password.empty()) {
    auto hash = hasher_.Hash(password);
    if (!hash.ok()) return hash.status();
    user.password_hash = *hash;
  }
  user.created_at = user.updated_at = storage::Now();
  if (auto st = store_.CreateUser(user); !st.ok()) return st;
  user.password_hash.clear();
  return user;
}

absl::StatusOr<storage::UserRecord> UserRegistry::Get(const std::string& id) {
  return store_.GetUser(id);
}

absl::StatusOr<storage::UserRecord> UserRegistry::GetByUsername(const std::string& username) {
  return store_.GetUserByUsername(username);
}

absl::StatusOr<std::vector<storage::UserRecord>> UserRegistry::List(
    const storage::PageRequest& page) {
  return store_.ListUsers(page);
}

absl::StatusOr<storage::UserRecord> UserRegistry::Update(storage::UserRecord user) {
  if (auto st = Validate(user); !st.ok()) return st;
  if (auto st = store_.UpdateUser(user); !st.ok()) return st;
  return store_.GetUser(user.id);
}

absl::Status UserRegistry::SetPassword(const std::string& id, const std::string& password) {
  if (password.empty()) return absl::InvalidArgumentError("password: must not be empty");
  if (auto st = CheckPassword(password); !st.ok()) return st;
  auto hash = hasher_.Hash(password);
  if (!hash.ok()) return hash.status();
  return store_.SetPasswordHash(id, *hash);
}

absl::Status UserRegistry::Delete(const std::string& id) { return store_.DeleteUser(id); }

}  // namespace tokend
