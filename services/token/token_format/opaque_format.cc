#include "services/token/token_format/opaque_format.h"

#include "absl/strings/match.h"
#include "services/common/secrets.h"

namespace tokend {
namespace {
constexpr absl::string_view kAccessPrefix = "tda_";
}  // namespace

absl::StatusOr<std::string> OpaqueFormat::Mint(AccessTokenClaims&) {
  return secrets::NewToken(kAccessPrefix);
}

bool OpaqueFormat::Recognizes(absl::string_view token) const {
  return absl::StartsWith(token, kAccessPrefix);
}

}  // namespace tokend
