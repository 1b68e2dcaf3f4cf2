#include "services/jwt/jwt_signer.h"

#include "absl/strings/str_cat.h"
#include "services/jwt/jose.h"

namespace tokend::jwt {
namespace {

google::protobuf::Struct HeaderOf(const JwtKey& key) {
  google::protobuf::Struct header;
  auto& f = *header.mutable_fields();
  f["alg"].set_string_value(std::string(AlgorithmName(key.alg)));
  f["kid"].set_string_value(key.kid);
  f["typ"].set_string_value("at+jwt");
  return header;
}

// header.payload.signature from the encoded header and the payload's JSON.
absl::StatusOr<std::string> Compact(const Signer& signer, absl::string_view header_b64,
                                    absl::string_view payload_json) {
  std::string out = absl::StrCat(header_b64, ".", Base64UrlEncode(payload_json));
  auto sig = signer.Sign(out);
  if (!sig.ok()) return sig.status();
  absl::StrAppend(&out, ".", Base64UrlEncode(*sig));
  return out;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const JwtSigner>> JwtSigner::Create(JwtKey key,
                                                                   SignerOptions options) {
  std::string header = Base64UrlEncode(ToJson(HeaderOf(key)));
  auto signer = Signer::Create(std::move(key), options);
  if (!signer.ok()) return signer.status();
  return std::shared_ptr<const JwtSigner>(new JwtSigner(*std::move(signer), std::move(header)));
}

absl::StatusOr<std::string> JwtSigner::Sign(const JwtClaims& claims) const {
  return Compact(*signer_, header_, ClaimsToJson(claims));
}

absl::StatusOr<std::string> SignJwt(const JwtKey& key, const JwtClaims& claims) {
  auto signer = JwtSigner::Create(key);
  if (!signer.ok()) return signer.status();
  return (*signer)->Sign(claims);
}

absl::StatusOr<std::string> SignCompact(const JwtKey& key, const google::protobuf::Struct& header,
                                        const google::protobuf::Struct& payload) {
  auto signer = Signer::Create(key);
  if (!signer.ok()) return signer.status();
  return Compact(**signer, Base64UrlEncode(ToJson(header)), ToJson(payload));
}

}  // namespace tokend::jwt
