#include "services/jwt/jwt_error.h"

#include <string>

#include "absl/strings/cord.h"

namespace tokend::jwt {
namespace {

constexpr char kPayloadUrl[] = "type.tokend.dev/tokend.jwt.JwtError";

constexpr struct {
  JwtError code;
  absl::string_view name;
} kNames[] = {
    {JwtError::kTooLarge, "too_large"},
    {JwtError::kMalformed, "malformed"},
    {JwtError::kWrongType, "wrong_type"},
    {JwtError::kUnsupportedAlgorithm, "unsupported_algorithm"},
    {JwtError::kUnknownKey, "unknown_key"},
    {JwtError::kAlgorithmMismatch, "algorithm_mismatch"},
    {JwtError::kBadSignature, "bad_signature"},
    {JwtError::kExpired, "expired"},
    {JwtError::kNotYetValid, "not_yet_valid"},
    {JwtError::kWrongIssuer, "wrong_issuer"},
    {JwtError::kWrongAudience, "wrong_audience"},
    {JwtError::kRevoked, "revoked"},
    {JwtError::kRevocationUnknown, "revocation_unknown"},
    {JwtError::kKeysUnavailable, "keys_unavailable"},
};

}  // namespace

absl::string_view JwtErrorName(JwtError code) {
  for (const auto& n : kNames) {
    if (n.code == code) return n.name;
  }
  return "unknown";
}

absl::Status Error(JwtError code, absl::string_view message) {
  bool transient = code == JwtError::kKeysUnavailable || code == JwtError::kRevocationUnknown;
  absl::Status st = transient ? absl::UnavailableError(message) : absl::UnauthenticatedError(message);
  st.SetPayload(kPayloadUrl, absl::Cord(JwtErrorName(code)));
  return st;
}

std::optional<JwtError> JwtErrorOf(const absl::Status& status) {
  auto payload = status.GetPayload(kPayloadUrl);
  if (!payload) return std::nullopt;
  std::string name(*payload);
  for (const auto& n : kNames) {
    if (n.name == name) return n.code;
  }
  return std::nullopt;
}

}  // namespace tokend::jwt
