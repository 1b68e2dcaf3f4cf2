#include "tests/testing/jwt_tampering.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "services/jwt/jose.h"

namespace tokend::testing {
namespace {

std::vector<std::string> Parts(const std::string& token) { return absl::StrSplit(token, '.'); }

google::protobuf::Struct Header(const std::string& token) {
  std::string json;
  jwt::Base64UrlDecode(Parts(token)[0], &json);
  return *jwt::ParseJsonObject(json);
}

std::string WithHeader(const google::protobuf::Struct& header, const std::string& token,
                       const std::string& signature) {
  return absl::StrCat(jwt::Base64UrlEncode(jwt::ToJson(header)), ".", Parts(token)[1], ".",
                      signature);
}

}  // namespace

std::string AlgNone(const std::string& token) {
  auto header = Header(token);
  (*header.mutable_fields())["alg"].set_string_value("none");
  return WithHeader(header, token, "");
}

std::string PublicKeyPem(const EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, const_cast<EVP_PKEY*>(key));
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, len);
  BIO_free(bio);
  return pem;
}

std::string HmacWithPublicKey(const std::string& token, const EVP_PKEY* public_key) {
  auto header = Header(token);
  (*header.mutable_fields())["alg"].set_string_value("HS256");
  std::string input =
      absl::StrCat(jwt::Base64UrlEncode(jwt::ToJson(header)), ".", Parts(token)[1]);
  std::string secret = PublicKeyPem(public_key);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
  return absl::StrCat(input, ".",
                      jwt::Base64UrlEncode(absl::string_view(reinterpret_cast<char*>(mac), len)));
}

std::string SwapKid(const std::string& token, const std::string& kid) {
  auto header = Header(token);
  (*header.mutable_fields())["kid"].set_string_value(kid);
  return WithHeader(header, token, Parts(token)[2]);
}

std::string FlipPayloadByte(const std::string& token) {
  auto parts = Parts(token);
  std::string payload;
  jwt::Base64UrlDecode(parts[1], &payload);
  // Change a character inside the jti string value: still valid JSON.
  size_t at = payload.find("\"jti\":\"") + 7;
  payload[at] = payload[at] == 'a' ? 'b' : 'a';
  parts[1] = jwt::Base64UrlEncode(payload);
  return absl::StrJoin(parts, ".");
}

}  // namespace tokend::testing
