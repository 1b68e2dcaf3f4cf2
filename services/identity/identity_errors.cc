#include "services/identity/identity_errors.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "services/token/oauth_error.h"

namespace tokend::identity {
namespace {

constexpr absl::string_view kScopePayload = "tokend.required_scope";

}  // namespace

absl::Status InsufficientScope(absl::string_view scope) {
  absl::Status st = oauth::Error(oauth::ErrorCode::kInsufficientScope,
                                 absl::StrCat("The access token lacks the scope '", scope, "'."));
  st.SetPayload(kScopePayload, absl::Cord(scope));
  return st;
}

std::optional<std::string> RequiredScopeOf(const absl::Status& status) {
  if (oauth::CodeOf(status) != oauth::ErrorCode::kInsufficientScope) return std::nullopt;
  auto payload = status.GetPayload(kScopePayload);
  if (!payload.has_value()) return std::nullopt;
  return std::string(*payload);
}

absl::Status AccessDenied(absl::string_view description) {
  return oauth::Error(oauth::ErrorCode::kAccessDenied, description);
}

}  // namespace tokend::identity
