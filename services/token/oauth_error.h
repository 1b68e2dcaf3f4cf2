// The OAuth 2.0 error codes (RFC 6749 §5.2) and THE table that maps each one
// to a gRPC/absl status code and an HTTP status. Every caller — the gRPC
// adapter, the HTTP bridge, the core — goes through this one table.
#pragma once

#include <optional>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"

namespace tokend::oauth {

enum class ErrorCode {
  kInvalidRequest,
  kInvalidClient,
  kInvalidGrant,
  kUnauthorizedClient,
  kUnsupportedGrantType,
  kInvalidScope,
  kServerError,
  kTemporarilyUnavailable,
  // Not in RFC 6749 (an extension error, §8.5): the client exceeded its
  // request rate. HTTP 429 with Retry-After; gRPC RESOURCE_EXHAUSTED.
  kRateLimited,
  // RFC 6750 §3.1: resource access with a Bearer token.
  kInvalidToken,
  kInsufficientScope,
  // The identity API (Blender ID's answers).
  kAccessDenied,   // the token's owner may not do this
  kUnknownUser,    // no user has that email (HTTP 422)
  kBadPassword,    // /api/authenticate: "badpw"
  kUserExists,     // /api/create-user: the email is taken
  kNotFound,       // /api/user/<id>: no such user
};

// How many codes ErrorCode has (the table in oauth_error.cc has one row each).
inline constexpr int kErrorCodeCount = 16;

struct ErrorMapping {
  ErrorCode code;
  absl::string_view name;        // the `error` value (RFC 6749 §5.2, RFC 6750 §3.1)
  absl::StatusCode status;      // numerically equal to grpc::StatusCode
  int http_status;
};

const ErrorMapping& MappingFor(ErrorCode code);

// Looks a code up by its RFC name; nullopt for an unknown name.
std::optional<ErrorCode> ErrorCodeFromName(absl::string_view name);

// Builds the status for an OAuth error. The code travels as a status payload
// (structured, never parsed back from the message); `description` is a fixed
// sentence safe to show to the client. `status_override` replaces the table's
// status code where the RPC contract asks for another one (UNIMPLEMENTED for
// a capability that has not landed yet).
absl::Status Error(ErrorCode code, absl::string_view description,
                   std::optional<absl::StatusCode> status_override = std::nullopt);

// The OAuth code a status carries. A status without the payload maps by its
// status code: UNAVAILABLE/DEADLINE_EXCEEDED/RESOURCE_EXHAUSTED →
// temporarily_unavailable, anything else → server_error.
ErrorCode CodeOf(const absl::Status& status);

// A description safe to show to a client: the status message for a status
// built by Error(), a fixed sentence for anything else (internal detail stays
// in logs).
absl::string_view PublicDescription(const absl::Status& status);

// Convenience constructors for the common cases.
inline absl::Status InvalidRequest(absl::string_view d) { return Error(ErrorCode::kInvalidRequest, d); }
inline absl::Status InvalidClient(absl::string_view d) { return Error(ErrorCode::kInvalidClient, d); }
inline absl::Status InvalidGrant(absl::string_view d) { return Error(ErrorCode::kInvalidGrant, d); }
inline absl::Status InvalidScope(absl::string_view d) { return Error(ErrorCode::kInvalidScope, d); }
inline absl::Status UnauthorizedClient(absl::string_view d) { return Error(ErrorCode::kUnauthorizedClient, d); }

// The status storage returns when PostgreSQL cannot be reached.
absl::Status LedgerUnavailable();

// rate_limited, saying after how many whole seconds to retry.
absl::Status RateLimited(int retry_after_seconds);
// rate_limited for an account, client or address that failed to authenticate
// too often (guessing); the right secret is refused as well until then.
absl::Status TooManyFailures(int retry_after_seconds);
// The retry delay a RateLimited or TooManyFailures status carries.
std::optional<int> RetryAfterSeconds(const absl::Status& status);

}  // namespace tokend::oauth
