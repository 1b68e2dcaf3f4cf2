#include "services/common/bearer_token.h"

#include "gtest/gtest.h"
#include "services/common/form_codec.h"

namespace tokend {
namespace {

using bearer::Presence;

TEST(BearerTokenTest, ReadsTheRfc6750Scheme) {
  auto p = bearer::Parse("Bearer tda_abc-DEF_123.x~y+z/w==");
  EXPECT_EQ(p.presence, Presence::kToken);
  EXPECT_EQ(p.token, "tda_abc-DEF_123.x~y+z/w==");
  EXPECT_EQ(bearer::Parse("bearer   abc").token, "abc");  // scheme case-insensitive
  EXPECT_EQ(bearer::Parse("  BEARER abc  ").token, "abc");
}

TEST(BearerTokenTest, OtherSchemesCountAsNoToken) {
  EXPECT_EQ(bearer::Parse("").presence, Presence::kNone);
  EXPECT_EQ(bearer::Parse("Basic YTpi").presence, Presence::kNone);
  EXPECT_EQ(bearer::Parse("Bearerabc").presence, Presence::kNone);
}

TEST(BearerTokenTest, MalformedTokens) {
  EXPECT_EQ(bearer::Parse("Bearer").presence, Presence::kMalformed);
  EXPECT_EQ(bearer::Parse("Bearer ").presence, Presence::kMalformed);
  EXPECT_EQ(bearer::Parse("Bearer a b").presence, Presence::kMalformed);
  EXPECT_EQ(bearer::Parse("Bearer =abc").presence, Presence::kMalformed);
  EXPECT_EQ(bearer::Parse("Bearer ab=c").presence, Presence::kMalformed);
  EXPECT_EQ(bearer::Parse("Bearer a\"b").presence, Presence::kMalformed);
}

TEST(FormCodecPathTest, PathSegmentsKeepPlus) {
  EXPECT_EQ(*form::DecodePathSegment("yourname+studio%40yourdomain.com"),
            "yourname+studio@yourdomain.com");
  EXPECT_EQ(*form::Decode("a+b"), "a b");  // form bodies: '+' is a space
  EXPECT_FALSE(form::DecodePathSegment("bad%4").ok());
  EXPECT_FALSE(form::DecodePathSegment("bad%zz").ok());
}

}  // namespace
}  // namespace tokend
