#include "services/token/oauth_error.h"

#include <array>
#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace tokend::oauth {
namespace {

constexpr absl::string_view kPayloadUrl = "tokend.oauth_error";

constexpr absl::string_view kRetryAfterUrl = "tokend.retry_after";

constexpr std::array<ErrorMapping, 16> kTable = {{
    {ErrorCode::kInvalidRequest, "invalid_request", absl::StatusCode::kInvalidArgument, 400},
    {ErrorCode::kInvalidClient, "invalid_client", absl::StatusCode::kUnauthenticated, 401},
    {ErrorCode::kInvalidGrant, "invalid_grant", absl::StatusCode::kFailedPrecondition, 400},
    {ErrorCode::kUnauthorizedClient, "unauthorized_client", absl::StatusCode::kPermissionDenied, 400},
    {ErrorCode::kUnsupportedGrantType, "unsupported_grant_type", absl::StatusCode::kInvalidArgument, 400},
    {ErrorCode::kInvalidScope, "invalid_scope", absl::StatusCode::kInvalidArgument, 400},
    {ErrorCode::kServerError, "server_error", absl::StatusCode::kInternal, 500},
    {ErrorCode::kTemporarilyUnavailable, "temporarily_unavailable", absl::StatusCode::kUnavailable, 503},
    {ErrorCode::kRateLimited, "rate_limited", absl::StatusCode::kResourceExhausted, 429},
    {ErrorCode::kInvalidToken, "invalid_token", absl::StatusCode::kUnauthenticated, 401},
    {ErrorCode::kInsufficientScope, "insufficient_scope", absl::StatusCode::kPermissionDenied, 403},
    {ErrorCode::kAccessDenied, "access_denied", absl::StatusCode::kPermissionDenied, 403},
    {ErrorCode::kUnknownUser, "unknown_user", absl::StatusCode::kNotFound, 422},
    {ErrorCode::kBadPassword, "badpw", absl::StatusCode::kPermissionDenied, 403},
    {ErrorCode::kUserExists, "exists", absl::StatusCode::kAlreadyExists, 400},
    {ErrorCode::kNotFound, "not_found", absl::StatusCode::kNotFound, 404},
}};
static_assert(kTable.size() == kErrorCodeCount);

}  // namespace

const ErrorMapping& MappingFor(ErrorCode code) {
  for (const auto& row : kTable) {
    if (row.code == code) return row;
  }
  return kTable[6];  // server_error; unreachable for a valid enum value
}

std::optional<ErrorCode> ErrorCodeFromName(absl::string_view name) {
  for (const auto& row : kTable) {
    if (row.name == name) return row.code;
  }
  return std::nullopt;
}

absl::Status Error(ErrorCode code, absl::string_view description,
                   std::optional<absl::StatusCode> status_override) {
  const ErrorMapping& row = MappingFor(code);
  absl::Status status(status_override.value_or(row.status), description);
  status.SetPayload(kPayloadUrl, absl::Cord(row.name));
  return status;
}

ErrorCode CodeOf(const absl::Status& status) {
  if (auto payload = status.GetPayload(kPayloadUrl)) {
    if (auto code = ErrorCodeFromName(std::string(*payload))) return *code;
  }
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kResourceExhausted:
      return ErrorCode::kTemporarilyUnavailable;
    default:
      return ErrorCode::kServerError;
  }
}

absl::string_view PublicDescription(const absl::Status& status) {
  if (status.GetPayload(kPayloadUrl).has_value()) return status.message();
  switch (CodeOf(status)) {
    case ErrorCode::kTemporarilyUnavailable:
      return "The service is temporarily unavailable; retry shortly.";
    default:
      return "The server met an unexpected condition.";
  }
}

absl::Status LedgerUnavailable() {
  return Error(ErrorCode::kTemporarilyUnavailable,
               "The token ledger (PostgreSQL) is unavailable; retry shortly.");
}

namespace {

absl::Status RetryAfter(absl::string_view why, int retry_after_seconds) {
  absl::Status st = Error(ErrorCode::kRateLimited,
                          absl::StrCat(why, "; retry in ", retry_after_seconds, " s."));
  st.SetPayload(kRetryAfterUrl, absl::Cord(absl::StrCat(retry_after_seconds)));
  return st;
}

}  // namespace

absl::Status RateLimited(int retry_after_seconds) {
  return RetryAfter("Too many requests from this client", retry_after_seconds);
}

absl::Status TooManyFailures(int retry_after_seconds) {
  return RetryAfter("Too many failed attempts", retry_after_seconds);
}

std::optional<int> RetryAfterSeconds(const absl::Status& status) {
  auto payload = status.GetPayload(kRetryAfterUrl);
  int seconds = 0;
  if (!payload || !absl::SimpleAtoi(std::string(*payload), &seconds)) return std::nullopt;
  return seconds;
}

}  // namespace tokend::oauth
