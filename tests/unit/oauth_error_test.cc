#include "services/token/oauth_error.h"

#include "gtest/gtest.h"

namespace tokend::oauth {
namespace {

TEST(OAuthErrorTest, TableMapsEveryCodeToItsRfcNameStatusAndHttp) {
  struct Row {
    ErrorCode code;
    const char* name;
    absl::StatusCode status;
    int http;
  };
  for (const Row& r : std::vector<Row>{
           {ErrorCode::kInvalidRequest, "invalid_request", absl::StatusCode::kInvalidArgument, 400},
           {ErrorCode::kInvalidClient, "invalid_client", absl::StatusCode::kUnauthenticated, 401},
           {ErrorCode::kInvalidGrant, "invalid_grant", absl::StatusCode::kFailedPrecondition, 400},
           {ErrorCode::kUnauthorizedClient, "unauthorized_client", absl::StatusCode::kPermissionDenied, 400},
           {ErrorCode::kUnsupportedGrantType, "unsupported_grant_type", absl::StatusCode::kInvalidArgument, 400},
           {ErrorCode::kInvalidScope, "invalid_scope", absl::StatusCode::kInvalidArgument, 400},
           {ErrorCode::kServerError, "server_error", absl::StatusCode::kInternal, 500},
           {ErrorCode::kTemporarilyUnavailable, "temporarily_unavailable", absl::StatusCode::kUnavailable, 503},
           {ErrorCode::kInvalidToken, "invalid_token", absl::StatusCode::kUnauthenticated, 401},
           {ErrorCode::kInsufficientScope, "insufficient_scope", absl::StatusCode::kPermissionDenied, 403},
           {ErrorCode::kAccessDenied, "access_denied", absl::StatusCode::kPermissionDenied, 403},
           {ErrorCode::kUnknownUser, "unknown_user", absl::StatusCode::kNotFound, 422},
           {ErrorCode::kBadPassword, "badpw", absl::StatusCode::kPermissionDenied, 403},
           {ErrorCode::kUserExists, "exists", absl::StatusCode::kAlreadyExists, 400},
           {ErrorCode::kNotFound, "not_found", absl::StatusCode::kNotFound, 404},
       }) {
    const ErrorMapping& m = MappingFor(r.code);
    EXPECT_EQ(m.name, r.name);
    EXPECT_EQ(m.status, r.status) << r.name;
    EXPECT_EQ(m.http_status, r.http) << r.name;
    EXPECT_EQ(ErrorCodeFromName(r.name), r.code);
  }
  EXPECT_EQ(ErrorCodeFromName("no_such_error"), std::nullopt);
}

TEST(OAuthErrorTest, CodeTravelsAsPayloadNotMessage) {
  absl::Status st = Error(ErrorCode::kInvalidGrant, "The refresh token is invalid.");
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(CodeOf(st), ErrorCode::kInvalidGrant);
  EXPECT_EQ(PublicDescription(st), "The refresh token is invalid.");
  // A message that merely looks like a code does not become one.
  EXPECT_EQ(CodeOf(absl::InvalidArgumentError("invalid_scope")), ErrorCode::kServerError);
}

TEST(OAuthErrorTest, OverrideKeepsTheOAuthCode) {
  absl::Status st = Error(ErrorCode::kUnsupportedGrantType, "later", absl::StatusCode::kUnimplemented);
  EXPECT_EQ(st.code(), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(CodeOf(st), ErrorCode::kUnsupportedGrantType);
}

TEST(OAuthErrorTest, UnexpectedFailuresHideTheirDetail) {
  absl::Status internal = absl::InternalError("duplicate key value violates constraint tokens_pkey");
  EXPECT_EQ(CodeOf(internal), ErrorCode::kServerError);
  EXPECT_EQ(PublicDescription(internal).find("tokens_pkey"), absl::string_view::npos);
  EXPECT_EQ(CodeOf(absl::UnavailableError("x")), ErrorCode::kTemporarilyUnavailable);
  EXPECT_EQ(CodeOf(LedgerUnavailable()), ErrorCode::kTemporarilyUnavailable);
}

}  // namespace
}  // namespace tokend::oauth
