#include "services/common/basic_auth.h"

#include "gtest/gtest.h"

namespace tokend::basic_auth {
namespace {

TEST(BasicAuthTest, ParsesTheSeedExample) {
  // Bellus3D's documented header for application:secret.
  auto c = Parse("Basic YXBwbGljYXRpb246c2VjcmV0");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->client_id, "application");
  EXPECT_EQ(c->client_secret, "secret");
}

TEST(BasicAuthTest, RoundTripsHostileCharacters) {
  for (auto [id, secret] : std::vector<std::pair<std::string, std::string>>{
           {"a:b", "c:d"}, {"100%", "50%+x"}, {"s p a c e", "\xC3\xA9\xE2\x82\xAC"}, {"", "x"}}) {
    auto c = Parse(Format(id, secret));
    ASSERT_TRUE(c.ok()) << id;
    EXPECT_EQ(c->client_id, id);
    EXPECT_EQ(c->client_secret, secret);
  }
}

TEST(BasicAuthTest, SchemeIsCaseInsensitive) {
  EXPECT_TRUE(Parse("basic YXBwbGljYXRpb246c2VjcmV0").ok());
  EXPECT_TRUE(Parse("BASIC YXBwbGljYXRpb246c2VjcmV0").ok());
}

TEST(BasicAuthTest, RejectsMalformedValues) {
  for (const char* bad : {"Bearer abc", "Basic", "Basic ", "Basic !!!!", "Basic YWJj" /* abc: no colon */,
                          "Basic JXp6OngK" /* %zz:x */}) {
    EXPECT_FALSE(Parse(bad).ok()) << bad;
  }
  EXPECT_FALSE(IsBasic("Bearer x"));
}

}  // namespace
}  // namespace tokend::basic_auth
