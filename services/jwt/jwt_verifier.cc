#include "services/jwt/jwt_verifier.h"

#include <algorithm>

#include "absl/strings/str_split.h"
#include "services/jwt/jose.h"
#include "services/jwt/signature.h"

namespace tokend::jwt {

absl::StatusOr<VerifiedJwt> JwtVerifier::Verify(absl::string_view token, const KeySet& keys,
                                                absl::Time now) const {
  if (token.size() > kMaxTokenBytes) return Error(JwtError::kTooLarge, "the token exceeds 8 KiB");
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  std::string header_json, payload_json, signature;
  if (parts.size() != 3 || !Base64UrlDecode(parts[0], &header_json) ||
      !Base64UrlDecode(parts[1], &payload_json) || !Base64UrlDecode(parts[2], &signature)) {
    return Error(JwtError::kMalformed, "not a compact JWS");
  }
  auto header = ParseJsonObject(header_json);
  if (!header.ok()) return Error(JwtError::kMalformed, "the header is not a JSON object");
  auto alg_name = StringMember(*header, "alg");
  auto alg = alg_name ? AlgorithmFromName(*alg_name) : std::nullopt;
  if (!alg) return Error(JwtError::kUnsupportedAlgorithm, "unsupported alg");
  auto typ = StringMember(*header, "typ");
  if (typ != "at+jwt" && typ != "application/at+jwt") {
    return Error(JwtError::kWrongType, "typ is not at+jwt");
  }
  if (header->fields().contains("crit")) {
    return Error(JwtError::kMalformed, "critical header parameters are not supported");
  }
  auto kid = StringMember(*header, "kid");
  const JwtKey* key = kid ? keys.Find(*kid) : nullptr;
  if (key == nullptr) return Error(JwtError::kUnknownKey, "no published key has this kid");
  if (key->alg != *alg) return Error(JwtError::kAlgorithmMismatch, "alg differs from the key's");
  absl::string_view signed_part = token.substr(0, parts[0].size() + 1 + parts[1].size());
  if (!jwt::Verify(*key, signed_part, signature)) {
    return Error(JwtError::kBadSignature, "the signature does not verify");
  }
  auto payload = ParseJsonObject(payload_json);
  if (!payload.ok()) return Error(JwtError::kMalformed, "the payload is not a JSON object");
  auto claims = ClaimsFromStruct(*payload);
  if (!claims.ok()) return Error(JwtError::kMalformed, claims.status().message());
  if (auto st = CheckClaims(*claims, now); !st.ok()) return st;
  return VerifiedJwt(*std::move(claims), key->kid, key->alg);
}

absl::Status JwtVerifier::CheckClaims(const JwtClaims& c, absl::Time now) const {
  if (absl::FromUnixSeconds(c.exp) + options_.leeway <= now) {
    return Error(JwtError::kExpired, "the token has expired");
  }
  if (absl::FromUnixSeconds(c.nbf) - options_.leeway > now) {
    return Error(JwtError::kNotYetValid, "the token is not valid yet");
  }
  if (!options_.issuer.empty() && c.iss != options_.issuer) {
    return Error(JwtError::kWrongIssuer, "iss is not the expected issuer");
  }
  if (!options_.audience.empty() &&
      std::find(c.aud.begin(), c.aud.end(), options_.audience) == c.aud.end()) {
    return Error(JwtError::kWrongAudience, "aud does not name this audience");
  }
  return absl::OkStatus();
}

}  // namespace tokend::jwt
