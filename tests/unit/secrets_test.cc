#include "services/common/secrets.h"

#include <set>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace tokend::secrets {
namespace {

TEST(SecretsTest, TokensAre256BitBase64UrlWithPrefix) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string t = NewToken("tda_");
    ASSERT_TRUE(absl::StartsWith(t, "tda_"));
    EXPECT_EQ(t.size(), 4u + 43u);  // 32 bytes → 43 base64url chars, no padding
    for (char c : t.substr(4)) EXPECT_TRUE(isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
    seen.insert(t);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(SecretsTest, Sha256MatchesKnownVector) {
  EXPECT_EQ(Hex(Sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(SecretsTest, UuidIsVersion4) {
  std::string u = NewUuid();
  ASSERT_EQ(u.size(), 36u);
  EXPECT_EQ(u[14], '4');
  EXPECT_TRUE(u[19] == '8' || u[19] == '9' || u[19] == 'a' || u[19] == 'b');
}

TEST(SecretsTest, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
}

}  // namespace
}  // namespace tokend::secrets
