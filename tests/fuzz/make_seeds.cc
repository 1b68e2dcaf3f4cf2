// Writes the binary seeds of the fuzz corpus that cannot be typed by hand:
// JWTs signed with the harness's fixed keys (jwt_fuzzer) and serialized
// tokend.v1 requests behind their selector byte (proto_validator_fuzzer).
//   build-fuzz/tests/fuzz/make_seeds tests/fuzz/corpus
// Deterministic except for the ES256 signatures (ECDSA is randomized).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "google/protobuf/message.h"
#include "services/jwt/claims.h"
#include "services/jwt/jose.h"
#include "services/jwt/jwk.h"
#include "services/jwt/jwt_signer.h"
#include "tests/fuzz/fuzz_keys.h"
#include "tokend/v1/admin.pb.h"
#include "tokend/v1/token.pb.h"

namespace tokend {
namespace {

namespace fs = std::filesystem;

void Write(const fs::path& dir, const std::string& name, const std::string& bytes) {
  fs::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary) << bytes;
}

// proto_validator_fuzzer's input: the selector byte, then the message.
void WriteProto(const fs::path& dir, const std::string& name, uint8_t selector,
                const google::protobuf::Message& m) {
  Write(dir, name, std::string(1, static_cast<char>(selector)) + m.SerializeAsString());
}

void JwtSeeds(const fs::path& dir) {
  jwt::JwtClaims claims{"https://issuer.test", "alice",      {"https://api.test"},
                        1800003600,            1800000000,   1800000000,
                        "jti-0001",            "app",        "read write"};
  jwt::KeySet published;
  for (const jwt::JwtKey& key : fuzz::FuzzKeys()) {
    Write(dir, "token_" + key.kid, *jwt::SignJwt(key, claims));
    published.Add({key.kid, key.alg, *jwt::PublicKeyFromDer(*jwt::PublicKeyDer(key.key.get()))});
  }
  jwt::JwtClaims multi = claims;
  multi.aud = {"https://other.test", "https://api.test"};
  multi.scope = "";
  Write(dir, "token_ed_two_audiences", *jwt::SignJwt(fuzz::FuzzKeys()[1], multi));
  jwt::JwtClaims expired = claims;
  expired.exp = 1700000000;
  Write(dir, "token_es_expired", *jwt::SignJwt(fuzz::FuzzKeys()[0], expired));
  Write(dir, "jwks.json", *jwt::ToJwks(published));
  Write(dir, "claims.json", jwt::ToJson(jwt::ClaimsToStruct(claims)));
  Write(dir, "header.json", R"({"alg":"ES256","kid":"es","typ":"at+jwt"})");
}

void ProtoSeeds(const fs::path& dir) {
  // Selectors: 0 IssueToken, 1 Refresh, 2 Introspect, 3 Revoke, 4 CreateClient,
  // 5 UpdateClient, 6 CreateUser, 7 UpdateUser; +0x80: Basic metadata.
  v1::IssueTokenRequest cc;
  cc.mutable_credentials()->set_client_id("app");
  cc.mutable_credentials()->set_client_secret("s3cret");
  cc.mutable_client_credentials();
  cc.add_scopes("read");
  WriteProto(dir, "issue_client_credentials", 0, cc);
  v1::IssueTokenRequest pw;
  pw.mutable_password()->set_username("alice");
  pw.mutable_password()->set_password("wonderland");
  pw.add_scopes("read");
  pw.add_scopes("write");
  pw.set_token_format(v1::TOKEN_FORMAT_JWT);
  pw.set_audience("https://api.test");
  WriteProto(dir, "issue_password_basic", 0x80, pw);
  v1::IssueTokenRequest code;
  code.mutable_credentials()->set_client_id("web");
  code.mutable_authorization_code()->set_code("tdc_abc");
  code.mutable_authorization_code()->set_redirect_uri("https://app.test/cb");
  code.mutable_authorization_code()->set_code_verifier(std::string(43, 'v'));
  WriteProto(dir, "issue_authorization_code", 0, code);
  v1::RefreshRequest refresh;
  refresh.set_refresh_token("tdr_0123456789abcdef");
  refresh.add_scopes("read");
  WriteProto(dir, "refresh_basic", 0x81, refresh);
  v1::IntrospectRequest introspect;
  introspect.mutable_credentials()->set_client_id("app");
  introspect.mutable_credentials()->set_client_secret("s3cret");
  introspect.set_token("tda_0123456789abcdef");
  introspect.set_token_type_hint("access_token");
  WriteProto(dir, "introspect", 2, introspect);
  v1::RevokeRequest revoke;
  revoke.set_token("tdr_0123456789abcdef");
  revoke.set_token_type_hint("refresh_token");
  WriteProto(dir, "revoke_basic", 0x83, revoke);

  v1::CreateClientRequest create;
  v1::Client* c = create.mutable_client();
  c->set_client_id("billing");
  c->set_name("Billing");
  c->add_grant_types("client_credentials");
  c->add_grant_types("password");
  c->add_allowed_scopes("read");
  c->add_allowed_scopes("write");
  c->add_default_scopes("read");
  c->set_access_token_ttl_seconds(3600);
  c->set_max_user_sessions(0);
  c->add_permissions("introspect");
  c->set_default_token_format(v1::TOKEN_FORMAT_JWT);
  WriteProto(dir, "create_client", 4, create);
  v1::CreateClientRequest web;
  v1::Client* w = web.mutable_client();
  w->set_client_id("web");
  w->add_grant_types("authorization_code");
  w->add_grant_types("refresh_token");
  w->add_redirect_uris("https://app.test/cb");
  w->set_homepage_url("https://app.test/");
  w->set_logo_url("https://app.test/logo.png");
  w->set_client_type(v1::CLIENT_TYPE_PUBLIC);
  w->set_allow_plain_pkce(true);
  WriteProto(dir, "create_public_client", 4, web);
  v1::CreateClientRequest imported = create;
  imported.set_imported_secret("an-old-secret");
  WriteProto(dir, "create_client_imported", 4, imported);
  v1::UpdateClientRequest update;
  update.mutable_client()->set_client_id("app");
  update.mutable_client()->add_allowed_scopes("admin");
  update.mutable_client()->add_allowed_scopes("read");
  update.mutable_update_mask()->add_paths("allowed_scopes");
  update.mutable_update_mask()->add_paths("name");
  WriteProto(dir, "update_client", 5, update);
  v1::CreateUserRequest user;
  user.mutable_user()->set_username("bob");
  user.mutable_user()->set_email("bob@example.com");
  user.mutable_user()->set_full_name("Bob Example");
  user.set_password("correct horse");
  WriteProto(dir, "create_user", 6, user);
  v1::UpdateUserRequest update_user;
  update_user.mutable_user()->set_nickname("al");
  update_user.mutable_update_mask()->add_paths("nickname");
  WriteProto(dir, "update_user", 7, update_user);
}

}  // namespace
}  // namespace tokend

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus dir>\n", argv[0]);
    return 2;
  }
  std::filesystem::path root(argv[1]);
  tokend::JwtSeeds(root / "jwt_fuzzer");
  tokend::ProtoSeeds(root / "proto_validator_fuzzer");
  return 0;
}
