// The identity endpoints' HTTP pieces that need no server: path parameters
// and RFC 6750 challenges.
#include "gtest/gtest.h"
#include "services/http/bearer_auth.h"
#include "services/http/identity_paths.h"
#include "services/identity/identity_errors.h"
#include "services/token/oauth_error.h"

namespace tokend::http {
namespace {

TEST(IdentityPathsTest, SplitsAndDecodesSegments) {
  auto p = PathParams("/api/badger/grant/cloud_subscriber/a+b%40example.com?x=1",
                      "/api/badger/grant/", 2);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ((*p)[0], "cloud_subscriber");
  EXPECT_EQ((*p)[1], "a+b@example.com");
  EXPECT_EQ((*PathParams("/api/user/42", "/api/user/", 1))[0], "42");
}

TEST(IdentityPathsTest, RefusesMissingExtraOrMalformedSegments) {
  EXPECT_FALSE(PathParams("/api/badger/grant/role", "/api/badger/grant/", 2));
  EXPECT_FALSE(PathParams("/api/badger/grant/role/", "/api/badger/grant/", 2));
  EXPECT_FALSE(PathParams("/api/badger/grant//a@b", "/api/badger/grant/", 2));
  EXPECT_FALSE(PathParams("/api/badger/grant/r/a@b/c", "/api/badger/grant/", 2));
  EXPECT_FALSE(PathParams("/api/user/4%2", "/api/user/", 1));
  EXPECT_FALSE(PathParams("/api/user/1/2", "/api/user/", 1));
  EXPECT_FALSE(PathParams("/other/1", "/api/user/", 1));
}

TEST(BearerChallengeTest, NoTokenHasNoErrorAttribute) {
  EXPECT_EQ(BearerChallenge(absl::OkStatus()), "Bearer realm=\"tokend\"");
}

TEST(BearerChallengeTest, InvalidTokenAndInsufficientScope) {
  auto invalid = oauth::Error(oauth::ErrorCode::kInvalidToken, "The access token expired.");
  EXPECT_EQ(BearerChallenge(invalid),
            "Bearer realm=\"tokend\", error=\"invalid_token\", "
            "error_description=\"The access token expired.\"");
  Response res = BearerErrorResponse(invalid);
  EXPECT_EQ(res.result_int(), 401);
  EXPECT_EQ(res[bhttp::field::www_authenticate], BearerChallenge(invalid));
  EXPECT_EQ(res[bhttp::field::cache_control], "no-store");

  auto scope = identity::InsufficientScope("userinfo");
  EXPECT_EQ(identity::RequiredScopeOf(scope), "userinfo");
  res = BearerErrorResponse(scope);
  EXPECT_EQ(res.result_int(), 403);
  EXPECT_NE(std::string(res[bhttp::field::www_authenticate]).find(
                "error=\"insufficient_scope\""), std::string::npos);
  EXPECT_NE(std::string(res[bhttp::field::www_authenticate]).find("scope=\"userinfo\""),
            std::string::npos);
}

TEST(BearerChallengeTest, IdentityRefusalsFollowTheTable) {
  Response res = BearerErrorResponse(identity::AccessDenied("no"));
  EXPECT_EQ(res.result_int(), 403);
  EXPECT_TRUE(res[bhttp::field::www_authenticate].empty());
  EXPECT_EQ(BearerErrorResponse(oauth::Error(oauth::ErrorCode::kUnknownUser, "x")).result_int(), 422);
  res = BearerErrorResponse(oauth::Error(oauth::ErrorCode::kBadPassword, "x"));
  EXPECT_EQ(res.result_int(), 403);
  EXPECT_NE(res.body().find("\"error\":\"badpw\""), std::string::npos) << res.body();
  EXPECT_EQ(identity::RequiredScopeOf(identity::AccessDenied("no")), std::nullopt);
}

}  // namespace
}  // namespace tokend::http
