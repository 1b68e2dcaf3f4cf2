#include "services/common/form_codec.h"

#include "gtest/gtest.h"

namespace tokend::form {
namespace {

TEST(FormCodecTest, DecodesPlusAndPercent) {
  EXPECT_EQ(*Decode("a+b%20c%3A%25%2B"), "a b c:%+");
  EXPECT_EQ(*Decode("%C3%A9t%C3%A9"), "\xC3\xA9t\xC3\xA9");
  EXPECT_EQ(*Decode(""), "");
}

TEST(FormCodecTest, RejectsMalformedPercentEncoding) {
  for (const char* bad : {"%", "%2", "%zz", "abc%g1", "%%"}) {
    EXPECT_FALSE(Decode(bad).ok()) << bad;
  }
}

TEST(FormCodecTest, EncodeRoundTripsEveryByte) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  std::string encoded = Encode(all);
  for (char c : encoded) {
    EXPECT_TRUE(isalnum(static_cast<unsigned char>(c)) || strchr("-._*+%", c)) << c;
  }
  EXPECT_EQ(*Decode(encoded), all);
}

TEST(FormCodecTest, ParsesOrderedRepeatedFields) {
  auto f = Parse("grant_type=password&username=a%40b&&scope=x+y&flag&scope=z");
  ASSERT_TRUE(f.ok());
  ASSERT_EQ(f->size(), 5u);
  EXPECT_EQ((*f)[0], (std::pair<std::string, std::string>{"grant_type", "password"}));
  EXPECT_EQ((*f)[1].second, "a@b");
  EXPECT_EQ((*f)[2].second, "x y");
  EXPECT_EQ((*f)[3], (std::pair<std::string, std::string>{"flag", ""}));
  EXPECT_EQ((*f)[4].second, "z");
  EXPECT_FALSE(Parse("a=%ZZ").ok());
}

}  // namespace
}  // namespace tokend::form
