#include "services/token/presented_credentials.h"

#include "gtest/gtest.h"
#include "services/common/basic_auth.h"
#include "services/token/oauth_error.h"

namespace tokend {
namespace {

TEST(PresentedCredentialsTest, BasicHeader) {
  auto a = ResolveCredentials(basic_auth::Format("id", "s:e%c"), "", std::nullopt);
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->used_basic);
  EXPECT_EQ(a->credentials.client_id, "id");
  EXPECT_EQ(a->credentials.client_secret, "s:e%c");
}

TEST(PresentedCredentialsTest, BodyCredentials) {
  auto a = ResolveCredentials("", "id", std::string("secret"));
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(a->used_basic);
  EXPECT_EQ(a->credentials.client_secret, "secret");
  auto pub = ResolveCredentials("", "public-app", std::nullopt);
  EXPECT_FALSE(pub->credentials.client_secret.has_value());
}

TEST(PresentedCredentialsTest, BothMethodsIsInvalidRequest) {
  auto a = ResolveCredentials(basic_auth::Format("id", "s"), "id", std::string("s"));
  EXPECT_EQ(oauth::CodeOf(a.status()), oauth::ErrorCode::kInvalidRequest);
  auto b = ResolveCredentials(basic_auth::Format("id", "s"), "other", std::nullopt);
  EXPECT_EQ(oauth::CodeOf(b.status()), oauth::ErrorCode::kInvalidRequest);
}

TEST(PresentedCredentialsTest, MalformedBasicIsInvalidRequestAndBearerIsIgnored) {
  EXPECT_EQ(oauth::CodeOf(ResolveCredentials("Basic !!", "", std::nullopt).status()),
            oauth::ErrorCode::kInvalidRequest);
  auto bearer = ResolveCredentials("Bearer abc", "id", std::string("s"));
  ASSERT_TRUE(bearer.ok());
  EXPECT_EQ(bearer->credentials.client_id, "id");
}

}  // namespace
}  // namespace tokend
