// The JOSE library alone: base64url, keys, signatures, JWKS, and every
// refusal of the verifier.
#include <openssl/evp.h>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "services/jwt/jose.h"
#include "services/jwt/jwk.h"
#include "services/jwt/jwt_signer.h"
#include "services/jwt/jwt_verifier.h"
#include "services/jwt/signature.h"
#include "tests/testing/jwt_tampering.h"

namespace tokend::jwt {
namespace {

TEST(Base64UrlTest, StrictDecoding) {
  std::string out;
  EXPECT_TRUE(Base64UrlDecode("QQ", &out));
  EXPECT_EQ(out, "A");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_TRUE(Base64UrlDecode("-_8", &out));
  EXPECT_FALSE(Base64UrlDecode("QQ==", &out));  // padding
  EXPECT_FALSE(Base64UrlDecode("+/8", &out));   // the other alphabet
  EXPECT_FALSE(Base64UrlDecode("QR", &out));    // stray trailing bits
  EXPECT_FALSE(Base64UrlDecode("Q", &out));     // impossible length
  EXPECT_FALSE(Base64UrlDecode("QQ Q", &out));
}

TEST(JsonTest, OnlyObjects) {
  EXPECT_TRUE(ParseJsonObject("{\"a\":1}").ok());
  EXPECT_FALSE(ParseJsonObject("[1]").ok());
  EXPECT_FALSE(ParseJsonObject("{\"a\":").ok());
  EXPECT_FALSE(ParseJsonObject("").ok());
}

TEST(ClaimsJsonTest, AwkwardTextRoundTripsThroughAJsonParser) {
  JwtClaims c;
  c.iss = "https://issuer.test/\"quoted\"\\path";
  c.sub = "line\nbreak\ttab\x01\x1f";
  c.sub.push_back('\0');
  c.aud = {"a", "b\u00e9\u20ac"};
  c.exp = 32503680000;  // 2999-12-31, an expiry tokenctl token mint accepts
  c.iat = -1;
  c.nbf = 0;
  c.jti = "jti";
  c.client_id = "app/\u00fc";
  c.scope = "read write";
  std::string json = ClaimsToJson(c);
  EXPECT_EQ(json.find('\n'), std::string::npos);
  auto object = ParseJsonObject(json);
  ASSERT_TRUE(object.ok()) << json;
  auto back = ClaimsFromStruct(*object);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->iss, c.iss);
  EXPECT_EQ(back->sub, c.sub);
  EXPECT_EQ(back->aud, c.aud);
  EXPECT_EQ(back->exp, c.exp);
  EXPECT_EQ(back->iat, c.iat);
  EXPECT_EQ(back->nbf, c.nbf);
  EXPECT_EQ(back->client_id, c.client_id);
  EXPECT_EQ(back->scope, c.scope);

  c.aud = {"one"};
  c.scope.clear();
  back = ClaimsFromStruct(*ParseJsonObject(ClaimsToJson(c)));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->aud, std::vector<std::string>{"one"});
  EXPECT_EQ(ClaimsToJson(c).find("scope"), std::string::npos);
  EXPECT_NE(ClaimsToJson(c).find("\"aud\":\"one\""), std::string::npos) << "one audience is a string";
}

class AlgorithmTest : public ::testing::TestWithParam<Algorithm> {
 protected:
  JwtKey NewKey(const std::string& kid) {
    auto key = GenerateKey(GetParam());
    EXPECT_TRUE(key.ok());
    return {kid, GetParam(), *key};
  }
};

TEST_P(AlgorithmTest, SignVerifyAndDerRoundTrips) {
  JwtKey key = NewKey("k1");
  auto sig = Sign(key, "payload");
  ASSERT_TRUE(sig.ok()) << sig.status();
  // ES256 in the JOSE form R||S (not DER), Ed25519 64 bytes, RSA-2048 256.
  EXPECT_EQ(sig->size(), GetParam() == Algorithm::kRS256 ? 256u : 64u);
  EXPECT_TRUE(Verify(key, "payload", *sig));
  EXPECT_FALSE(Verify(key, "payloaD", *sig));

  auto pub = PublicKeyFromDer(*PublicKeyDer(key.key.get()));
  ASSERT_TRUE(pub.ok());
  EXPECT_TRUE(Verify({"k1", GetParam(), *pub}, "payload", *sig));
  auto priv = PrivateKeyFromDer(*PrivateKeyDer(key.key.get()));
  ASSERT_TRUE(priv.ok());
  EXPECT_TRUE(Verify(key, "x", *Sign({"k1", GetParam(), *priv}, "x")));
}

TEST_P(AlgorithmTest, JwkRoundTripVerifies) {
  JwtKey key = NewKey("kid-1");
  KeySet set;
  set.Add(key);
  auto jwks = ToJwks(set);
  ASSERT_TRUE(jwks.ok());
  EXPECT_EQ(jwks->find("\"d\""), std::string::npos) << "no private member may be published";
  auto parsed = ParseJwks(*jwks);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->keys().size(), 1u);
  const JwtKey* pub = parsed->Find("kid-1");
  ASSERT_NE(pub, nullptr);
  EXPECT_EQ(pub->alg, GetParam());
  EXPECT_TRUE(Verify(*pub, "m", *Sign(key, "m")));
}

INSTANTIATE_TEST_SUITE_P(All, AlgorithmTest,
                         ::testing::Values(Algorithm::kES256, Algorithm::kEdDSA, Algorithm::kRS256),
                         [](const auto& info) { return std::string(AlgorithmName(info.param)); });

TEST(JwksTest, SkipsUnusableKeysAndRejectsNonDocuments) {
  EXPECT_FALSE(ParseJwks("[]").ok());
  EXPECT_FALSE(ParseJwks("{\"keys\":{}}").ok());
  auto set = ParseJwks(
      "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"h\",\"alg\":\"HS256\",\"k\":\"c2VjcmV0\"},"
      "{\"kty\":\"EC\",\"kid\":\"e\",\"alg\":\"ES256\",\"crv\":\"P-256\",\"x\":\"AA\",\"y\":\"AA\"},"
      "{\"kty\":\"RSA\",\"kid\":\"r\",\"alg\":\"RS256\",\"n\":\"AQAB\",\"e\":\"AQAB\"}]}");
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(set->keys().empty()) << "HMAC, a point off the curve and a tiny RSA key are refused";
}

class VerifierTest : public ::testing::Test {
 protected:
  VerifierTest() {
    es_ = {"es", Algorithm::kES256, *GenerateKey(Algorithm::kES256)};
    ed_ = {"ed", Algorithm::kEdDSA, *GenerateKey(Algorithm::kEdDSA)};
    es2_ = {"es2", Algorithm::kES256, *GenerateKey(Algorithm::kES256)};
    keys_.Add(es_);
    keys_.Add(ed_);
    keys_.Add(es2_);
    claims_.iss = "https://issuer.test";
    claims_.sub = "user-1";
    claims_.aud = {"https://api.test"};
    claims_.iat = claims_.nbf = absl::ToUnixSeconds(now_);
    claims_.exp = claims_.iat + 3600;
    claims_.jti = "abcdef";
    claims_.client_id = "app";
    claims_.scope = "read write";
  }
  std::string Token(const JwtClaims& c) { return *SignJwt(es_, c); }
  std::optional<JwtError> Refusal(const std::string& token) {
    auto v = verifier_.Verify(token, keys_, now_);
    EXPECT_FALSE(v.ok()) << token;
    return JwtErrorOf(v.status());
  }

  absl::Time now_ = absl::Now();
  JwtKey es_, ed_, es2_;
  KeySet keys_;
  JwtClaims claims_;
  JwtVerifier verifier_{{"https://issuer.test", "https://api.test", absl::Seconds(30)}};
};

TEST_F(VerifierTest, GenuineTokenYieldsItsClaims) {
  std::string token = Token(claims_);
  auto v = verifier_.Verify(token, keys_, now_);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->kid(), "es");
  EXPECT_EQ(v->algorithm(), Algorithm::kES256);
  EXPECT_EQ(v->claims().sub, "user-1");
  EXPECT_EQ(v->claims().scope, "read write");
  EXPECT_EQ(v->claims().client_id, "app");
  EXPECT_EQ(v->claims().exp, claims_.exp);
  std::string header;
  Base64UrlDecode(std::vector<std::string>(absl::StrSplit(token, '.'))[0], &header);
  EXPECT_EQ(StringMember(*ParseJsonObject(header), "typ"), "at+jwt");
}

TEST_F(VerifierTest, EveryTamperingIsRefusedWithItsReason) {
  std::string good = Token(claims_);
  EXPECT_EQ(Refusal(testing::AlgNone(good)), JwtError::kUnsupportedAlgorithm);
  EXPECT_EQ(Refusal(testing::HmacWithPublicKey(good, es_.key.get())), JwtError::kUnsupportedAlgorithm);
  EXPECT_EQ(Refusal(testing::SwapKid(good, "nobody")), JwtError::kUnknownKey);
  EXPECT_EQ(Refusal(testing::SwapKid(good, "ed")), JwtError::kAlgorithmMismatch);
  EXPECT_EQ(Refusal(testing::SwapKid(good, "es2")), JwtError::kBadSignature);
  EXPECT_EQ(Refusal(testing::FlipPayloadByte(good)), JwtError::kBadSignature);
  EXPECT_EQ(Refusal(good.substr(0, good.size() - 2) + "AA"), JwtError::kBadSignature);
  EXPECT_EQ(Refusal(std::string(9000, 'e')), JwtError::kTooLarge);
  EXPECT_EQ(Refusal("abc.def"), JwtError::kMalformed);
  EXPECT_EQ(Refusal("e30.e30.!!"), JwtError::kMalformed);
  EXPECT_EQ(Refusal(Base64UrlEncode("not json") + ".e30.AA"), JwtError::kMalformed);

  JwtClaims c = claims_;
  c.exp = absl::ToUnixSeconds(now_) - 3600;
  EXPECT_EQ(Refusal(Token(c)), JwtError::kExpired);
  c = claims_;
  c.nbf = absl::ToUnixSeconds(now_) + 3600;
  EXPECT_EQ(Refusal(Token(c)), JwtError::kNotYetValid);
  c = claims_;
  c.iss = "https://evil.test";
  EXPECT_EQ(Refusal(Token(c)), JwtError::kWrongIssuer);
  c = claims_;
  c.aud = {"https://other.test"};
  EXPECT_EQ(Refusal(Token(c)), JwtError::kWrongAudience);

  // typ other than at+jwt (an ID token, say) and a DER ES256 signature.
  google::protobuf::Struct header;
  (*header.mutable_fields())["alg"].set_string_value("ES256");
  (*header.mutable_fields())["kid"].set_string_value("es");
  (*header.mutable_fields())["typ"].set_string_value("JWT");
  EXPECT_EQ(Refusal(*SignCompact(es_, header, ClaimsToStruct(claims_))), JwtError::kWrongType);
  (*header.mutable_fields())["typ"].set_string_value("at+jwt");
  (*header.mutable_fields())["crit"].mutable_list_value()->add_values()->set_string_value("exp");
  EXPECT_EQ(Refusal(*SignCompact(es_, header, ClaimsToStruct(claims_))), JwtError::kMalformed);
}

TEST_F(VerifierTest, LeewayAppliesToTimesOnly) {
  JwtClaims c = claims_;
  c.exp = absl::ToUnixSeconds(now_) - 10;  // within the 30 s leeway
  EXPECT_TRUE(verifier_.Verify(Token(c), keys_, now_).ok());
  c.exp = absl::ToUnixSeconds(now_) - 31;
  EXPECT_EQ(Refusal(Token(c)), JwtError::kExpired);
}

TEST(JwtErrorTest, CodeTravelsAsPayload) {
  absl::Status st = Error(JwtError::kBadSignature, "x");
  EXPECT_EQ(st.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(JwtErrorOf(st), JwtError::kBadSignature);
  EXPECT_EQ(JwtErrorOf(absl::UnauthenticatedError("bad_signature")), std::nullopt);
  EXPECT_EQ(Error(JwtError::kKeysUnavailable, "x").code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace tokend::jwt
