// Forged and altered JWTs for the tampering tests (unit and e2e): each takes
// a genuine token and returns what an attacker would send.
#pragma once

#include <string>

#include "services/jwt/key_material.h"

namespace tokend::testing {

// The header and payload re-encoded with alg "none" and an empty signature.
std::string AlgNone(const std::string& token);
// RS256→HS256 confusion: alg HS256 and an HMAC-SHA256 signature keyed with
// the PEM of the verification key (what a naive verifier would accept).
std::string HmacWithPublicKey(const std::string& token, const EVP_PKEY* public_key);
// The header's kid replaced by `kid`, signature kept.
std::string SwapKid(const std::string& token, const std::string& kid);
// One byte of the payload changed (the JSON stays valid), signature kept.
std::string FlipPayloadByte(const std::string& token);
// The PEM SubjectPublicKeyInfo of `key`.
std::string PublicKeyPem(const EVP_PKEY* key);

}  // namespace tokend::testing
