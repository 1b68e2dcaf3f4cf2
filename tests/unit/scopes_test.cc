#include "services/token/scopes.h"

#include "gtest/gtest.h"
#include "services/token/oauth_error.h"

namespace tokend::scopes {
namespace {

using V = std::vector<std::string>;

TEST(ScopesTest, SplitAndJoin) {
  EXPECT_EQ(Split("  read  write "), (V{"read", "write"}));
  EXPECT_EQ(Join({"read", "write"}), "read write");
  EXPECT_TRUE(Split("").empty());
}

TEST(ScopesTest, ValidatesNqchar) {
  EXPECT_TRUE(IsValidToken("api:read"));
  EXPECT_FALSE(IsValidToken(""));
  EXPECT_FALSE(IsValidToken("a\"b"));
  EXPECT_FALSE(IsValidToken("a\\b"));
  EXPECT_FALSE(IsValidToken("\xC3\xA9"));
}

TEST(ScopesTest, ResolveUsesDefaultsAndRejectsUnallowed) {
  V allowed{"read", "write"}, defaults{"read"};
  EXPECT_EQ(*Resolve(std::nullopt, allowed, defaults), defaults);
  EXPECT_EQ(*Resolve(V{}, allowed, defaults), defaults);
  EXPECT_EQ(*Resolve(V{"write", "read", "write"}, allowed, defaults), (V{"write", "read"}));
  auto bad = Resolve(V{"admin"}, allowed, defaults);
  EXPECT_EQ(oauth::CodeOf(bad.status()), oauth::ErrorCode::kInvalidScope);
}

TEST(ScopesTest, NarrowNeverWidens) {
  V granted{"read", "write"};
  EXPECT_EQ(*Narrow(std::nullopt, granted), granted);
  EXPECT_EQ(*Narrow(V{"read"}, granted), (V{"read"}));
  EXPECT_EQ(oauth::CodeOf(Narrow(V{"read", "admin"}, granted).status()), oauth::ErrorCode::kInvalidScope);
}

TEST(ScopesTest, UserTokensDefaultToEmail) {
  using V = std::vector<std::string>;
  EXPECT_EQ(UserDefaults({}), (V{"email"}));
  EXPECT_EQ(UserDefaults(V{"read"}), (V{"read"}));
}

}  // namespace
}  // namespace tokend::scopes
