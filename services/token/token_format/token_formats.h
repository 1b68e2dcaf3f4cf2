// The access-token formats a server offers: always opaque, JWT when a
// signing-key manager is configured. Picks the format for a request (request
// first, then the client's default) and for a presented token (by shape).
#pragma once

#include "absl/status/statusor.h"
#include "services/token/token_format/access_token_format.h"
#include "services/token/token_types.h"

namespace tokend {

class TokenFormats {
 public:
  // `jwt` may be null: JWT requests are then invalid_request.
  TokenFormats(AccessTokenFormat& opaque, AccessTokenFormat* jwt) : opaque_(opaque), jwt_(jwt) {}

  // Opaque only (tests, and servers without JWT).
  static TokenFormats& OpaqueOnly();

  // The format for a new access token: `requested`, else the client's
  // default. invalid_request when JWT is asked for and not offered.
  absl::StatusOr<AccessTokenFormat*> ForIssuing(TokenFormat requested,
                                                TokenFormat client_default) const;

  // The format that must check a presented token.
  AccessTokenFormat& ForToken(absl::string_view token) const;

  // Which format `format` is (as recorded in the ledger).
  TokenFormat NameOf(const AccessTokenFormat& format) const {
    return &format == jwt_ ? TokenFormat::kJwt : TokenFormat::kOpaque;
  }

 private:
  AccessTokenFormat& opaque_;
  AccessTokenFormat* jwt_;
};

}  // namespace tokend
