#include "services/token/token_format/token_formats.h"

#include "services/token/oauth_error.h"
#include "services/token/token_format/opaque_format.h"

namespace tokend {

TokenFormats& TokenFormats::OpaqueOnly() {
  static OpaqueFormat* opaque = new OpaqueFormat;
  static TokenFormats* formats = new TokenFormats(*opaque, nullptr);
  return *formats;
}

absl::StatusOr<AccessTokenFormat*> TokenFormats::ForIssuing(TokenFormat requested,
                                                            TokenFormat client_default) const {
  TokenFormat format = requested != TokenFormat::kDefault ? requested : client_default;
  if (format != TokenFormat::kJwt) return &opaque_;
  if (jwt_ == nullptr) {
    return oauth::InvalidRequest("JWT access tokens are not enabled on this server.");
  }
  return jwt_;
}

AccessTokenFormat& TokenFormats::ForToken(absl::string_view token) const {
  return jwt_ != nullptr && jwt_->Recognizes(token) ? *jwt_ : opaque_;
}

}  // namespace tokend
