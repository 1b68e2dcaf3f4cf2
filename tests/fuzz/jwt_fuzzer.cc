// services/jwt on arbitrary input against a fixed key set (tests/fuzz/
// fuzz_keys.h): the strict base64url codec, the JSON object parser, claims,
// JWKS parsing and JwtVerifier::Verify. The input is also signed as a
// payload and as a header with a real key, so the checks after the
// signature see hostile JSON too.
//
// Invariants: Base64UrlDecode accepts only canonical encodings; claims and
// JWKS round trip; a token verifies only if every documented check holds;
// a token we signed never fails with bad_signature or unknown_key.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/jwt/claims.h"
#include "services/jwt/jose.h"
#include "services/jwt/jwk.h"
#include "services/jwt/jwt_signer.h"
#include "services/jwt/jwt_verifier.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_keys.h"

namespace tokend::jwt {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1800000000);
constexpr char kIssuer[] = "https://issuer.test";
constexpr char kAudience[] = "https://api.test";

struct Fixture {
  Fixture() : verifier({.issuer = kIssuer, .audience = kAudience}) {
    for (auto& key : fuzz::FuzzKeys()) {
      keys.push_back(key);
      // The verifier gets only the public halves, as from a JWKS.
      auto pub = PublicKeyFromDer(*PublicKeyDer(key.key.get()));
      FUZZ_CHECK(pub.ok());
      published.Add({key.kid, key.alg, *pub});
    }
  }
  std::vector<JwtKey> keys;
  KeySet published;
  JwtVerifier verifier;
};

const Fixture& F() {
  static const Fixture* f = new Fixture;
  return *f;
}

bool SameClaims(const JwtClaims& a, const JwtClaims& b) {
  return a.iss == b.iss && a.sub == b.sub && a.aud == b.aud && a.exp == b.exp &&
         a.iat == b.iat && a.nbf == b.nbf && a.jti == b.jti && a.client_id == b.client_id &&
         a.scope == b.scope;
}

// A successful Verify: the claims pass every check it documents.
void CheckVerified(const VerifiedJwt& jwt) {
  const JwtClaims& c = jwt.claims();
  FUZZ_CHECK(absl::FromUnixSeconds(c.exp) + absl::Seconds(30) > kNow);
  FUZZ_CHECK(absl::FromUnixSeconds(c.nbf) - absl::Seconds(30) <= kNow);
  FUZZ_CHECK(c.iss == kIssuer);
  FUZZ_CHECK(std::find(c.aud.begin(), c.aud.end(), kAudience) != c.aud.end());
  const JwtKey* key = F().published.Find(jwt.kid());
  FUZZ_CHECK(key != nullptr && key->alg == jwt.algorithm());
}

void VerifyAny(absl::string_view token) {
  auto verified = F().verifier.Verify(token, F().published, kNow);
  if (verified.ok()) {
    CheckVerified(*verified);
  } else {
    FUZZ_CHECK(JwtErrorOf(verified.status()).has_value());
  }
}

void Base64Url(absl::string_view in) {
  std::string bytes;
  if (Base64UrlDecode(in, &bytes)) FUZZ_CHECK(Base64UrlEncode(bytes) == in);
  std::string encoded = Base64UrlEncode(in);
  FUZZ_CHECK(Base64UrlDecode(encoded, &bytes) && bytes == in);
}

// `object` signed as the payload under a good header, and as the header
// over good claims, by each key (RS256 signing is what makes this harness
// the slowest of the five).
void SignedAsPayloadAndHeader(const google::protobuf::Struct& object) {
  JwtClaims good{kIssuer, "alice", {kAudience}, 1800000600, 1800000000, 1800000000,
                 "jti-1",  "app",   "read"};
  for (const JwtKey& key : F().keys) {
    google::protobuf::Struct header;
    (*header.mutable_fields())["alg"].set_string_value(std::string(AlgorithmName(key.alg)));
    (*header.mutable_fields())["kid"].set_string_value(key.kid);
    (*header.mutable_fields())["typ"].set_string_value("at+jwt");
    if (auto token = SignCompact(key, header, object); token.ok()) {
      auto verified = F().verifier.Verify(*token, F().published, kNow);
      if (verified.ok()) {
        CheckVerified(*verified);
      } else {
        auto why = JwtErrorOf(verified.status());
        FUZZ_CHECK(why.has_value());
        FUZZ_CHECK(*why != JwtError::kBadSignature && *why != JwtError::kUnknownKey &&
                   *why != JwtError::kUnsupportedAlgorithm);
      }
    }
    if (auto token = SignCompact(key, object, ClaimsToStruct(good)); token.ok()) VerifyAny(*token);
  }
}

}  // namespace
}  // namespace tokend::jwt

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tokend::jwt;
  absl::string_view in(reinterpret_cast<const char*>(data), size);

  VerifyAny(in);
  Base64Url(in);

  if (auto object = ParseJsonObject(in); object.ok()) {
    auto again = ParseJsonObject(ToJson(*object));
    FUZZ_CHECK(again.ok());
    if (auto claims = ClaimsFromStruct(*object); claims.ok()) {
      auto back = ClaimsFromStruct(ClaimsToStruct(*claims));
      FUZZ_CHECK(back.ok() && SameClaims(*back, *claims));
    }
    if (auto jwks = ParseJwks(in); jwks.ok()) {
      auto doc = ToJwks(*jwks);
      FUZZ_CHECK(doc.ok());
      auto reparsed = ParseJwks(*doc);
      FUZZ_CHECK(reparsed.ok() && reparsed->keys().size() == jwks->keys().size());
    }
    SignedAsPayloadAndHeader(*object);
  }
  return 0;
}
