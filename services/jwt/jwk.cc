#include "services/jwt/jwk.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>

#include "services/jwt/jose.h"

namespace tokend::jwt {
namespace {

using google::protobuf::Struct;
using BnPtr = std::unique_ptr<BIGNUM, decltype(&BN_free)>;

// A big-endian unsigned integer parameter of `key`, `pad` bytes wide (0:
// minimal), base64url.
absl::StatusOr<std::string> BnParam(const EVP_PKEY* key, const char* name, int pad) {
  BIGNUM* raw = nullptr;
  if (!EVP_PKEY_get_bn_param(key, name, &raw)) {
    ERR_clear_error();
    return absl::InternalError("cannot read a key parameter");
  }
  BnPtr bn(raw, BN_free);
  int len = pad > 0 ? pad : BN_num_bytes(bn.get());
  std::string bytes(len, '\0');
  if (BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(bytes.data()), len) != len) {
    return absl::InternalError("a key parameter is too large");
  }
  return Base64UrlEncode(bytes);
}

void Set(Struct& s, const std::string& key, const std::string& value) {
  (*s.mutable_fields())[key].set_string_value(value);
}

absl::Status Bad(absl::string_view why) { return absl::InvalidArgumentError(why); }

// Decodes a base64url member; empty when absent or malformed.
std::string Bytes(const Struct& jwk, const std::string& key) {
  std::string out;
  auto text = StringMember(jwk, key);
  if (!text || !Base64UrlDecode(*text, &out)) return "";
  return out;
}

absl::StatusOr<PkeyPtr> FromData(const char* type, OSSL_PARAM_BLD* bld) {
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  EVP_PKEY* key = nullptr;
  bool ok = params != nullptr && ctx != nullptr && EVP_PKEY_fromdata_init(ctx) == 1 &&
            EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) == 1;
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  ERR_clear_error();
  if (!ok) return Bad("invalid key material");
  return AdoptPkey(key);
}

absl::StatusOr<PkeyPtr> EcKey(const Struct& jwk) {
  if (StringMember(jwk, "crv") != "P-256") return Bad("unsupported crv");
  std::string x = Bytes(jwk, "x"), y = Bytes(jwk, "y");
  if (x.size() != 32 || y.size() != 32) return Bad("bad EC coordinates");
  std::string point = "\x04" + x + y;  // uncompressed SEC1 point
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
  OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
  auto key = FromData("EC", bld);
  OSSL_PARAM_BLD_free(bld);
  return key;
}

absl::StatusOr<PkeyPtr> RsaKey(const Struct& jwk) {
  std::string n = Bytes(jwk, "n"), e = Bytes(jwk, "e");
  if (n.empty() || e.empty()) return Bad("bad RSA parameters");
  BnPtr bn_n(BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()), n.size(), nullptr), BN_free);
  BnPtr bn_e(BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()), e.size(), nullptr), BN_free);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n.get());
  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e.get());
  auto key = FromData("RSA", bld);
  OSSL_PARAM_BLD_free(bld);
  return key;
}

absl::StatusOr<PkeyPtr> OkpKey(const Struct& jwk) {
  if (StringMember(jwk, "crv") != "Ed25519") return Bad("unsupported crv");
  std::string x = Bytes(jwk, "x");
  if (x.size() != 32) return Bad("bad Ed25519 key");
  EVP_PKEY* key = EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(x.data()), x.size());
  ERR_clear_error();
  if (key == nullptr) return Bad("bad Ed25519 key");
  return AdoptPkey(key);
}

}  // namespace

void KeySet::Add(JwtKey key) {
  for (auto& k : keys_) {
    if (k.kid == key.kid) {
      k = std::move(key);
      return;
    }
  }
  keys_.push_back(std::move(key));
}

const JwtKey* KeySet::Find(absl::string_view kid) const {
  for (const auto& k : keys_) {
    if (k.kid == kid) return &k;
  }
  return nullptr;
}

absl::StatusOr<Struct> ToJwk(const JwtKey& key) {
  Struct jwk;
  const EVP_PKEY* pkey = key.key.get();
  switch (key.alg) {
    case Algorithm::kES256: {
      auto x = BnParam(pkey, OSSL_PKEY_PARAM_EC_PUB_X, 32);
      auto y = BnParam(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, 32);
      if (!x.ok() || !y.ok()) return x.ok() ? y.status() : x.status();
      Set(jwk, "kty", "EC");
      Set(jwk, "crv", "P-256");
      Set(jwk, "x", *x);
      Set(jwk, "y", *y);
      break;
    }
    case Algorithm::kEdDSA: {
      unsigned char raw[32];
      size_t len = sizeof(raw);
      if (!EVP_PKEY_get_raw_public_key(pkey, raw, &len) || len != sizeof(raw)) {
        ERR_clear_error();
        return absl::InternalError("cannot read the Ed25519 key");
      }
      Set(jwk, "kty", "OKP");
      Set(jwk, "crv", "Ed25519");
      Set(jwk, "x", Base64UrlEncode(absl::string_view(reinterpret_cast<char*>(raw), len)));
      break;
    }
    case Algorithm::kRS256: {
      auto n = BnParam(pkey, OSSL_PKEY_PARAM_RSA_N, 0);
      auto e = BnParam(pkey, OSSL_PKEY_PARAM_RSA_E, 0);
      if (!n.ok() || !e.ok()) return n.ok() ? e.status() : n.status();
      Set(jwk, "kty", "RSA");
      Set(jwk, "n", *n);
      Set(jwk, "e", *e);
      break;
    }
  }
  Set(jwk, "kid", key.kid);
  Set(jwk, "alg", std::string(AlgorithmName(key.alg)));
  Set(jwk, "use", "sig");
  return jwk;
}

absl::StatusOr<std::string> ToJwks(const KeySet& keys) {
  Struct doc;
  auto* list = (*doc.mutable_fields())["keys"].mutable_list_value();
  for (const auto& k : keys.keys()) {
    auto jwk = ToJwk(k);
    if (!jwk.ok()) return jwk.status();
    *list->add_values()->mutable_struct_value() = *std::move(jwk);
  }
  return ToJson(doc);
}

absl::StatusOr<JwtKey> FromJwk(const Struct& jwk) {
  auto kid = StringMember(jwk, "kid");
  auto alg_name = StringMember(jwk, "alg");
  auto kty = StringMember(jwk, "kty");
  if (!kid || kid->empty() || !alg_name || !kty) return Bad("a JWK needs kid, alg and kty");
  auto use = StringMember(jwk, "use");
  if (use && *use != "sig") return Bad("not a signing key");
  if (jwk.fields().contains("d")) return Bad("a published JWK must not hold private members");
  auto alg = AlgorithmFromName(*alg_name);
  if (!alg) return Bad("unsupported alg");
  absl::StatusOr<PkeyPtr> key = Bad("kty does not match alg");
  if (*alg == Algorithm::kES256 && *kty == "EC") key = EcKey(jwk);
  if (*alg == Algorithm::kEdDSA && *kty == "OKP") key = OkpKey(jwk);
  if (*alg == Algorithm::kRS256 && *kty == "RSA") key = RsaKey(jwk);
  if (!key.ok()) return key.status();
  if (!KeyFits(*alg, key->get())) return Bad("the key does not fit its alg");
  return JwtKey{*kid, *alg, *std::move(key)};
}

absl::StatusOr<KeySet> ParseJwks(absl::string_view json) {
  auto doc = ParseJsonObject(json);
  if (!doc.ok()) return doc.status();
  auto it = doc->fields().find("keys");
  if (it == doc->fields().end() || !it->second.has_list_value()) {
    return Bad("a JWKS needs a \"keys\" array");
  }
  KeySet out;
  for (const auto& v : it->second.list_value().values()) {
    if (!v.has_struct_value()) continue;
    auto key = FromJwk(v.struct_value());
    if (key.ok()) out.Add(*std::move(key));
  }
  return out;
}

}  // namespace tokend::jwt
