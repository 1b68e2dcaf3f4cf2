// Opaque access tokens: 256 random bits behind the "tda_" prefix. Everything
// about them lives in the ledger.
#pragma once

#include "services/token/token_format/access_token_format.h"

namespace tokend {

class OpaqueFormat final : public AccessTokenFormat {
 public:
  absl::StatusOr<std::string> Mint(AccessTokenClaims& claims) override;
  bool Recognizes(absl::string_view token) const override;
  TokenCheck Check(absl::string_view, absl::string_view, bool) override {
    return TokenCheck::kPassed;
  }
};

}  // namespace tokend
