#include "tokenctl_commands.h"

#include <google/protobuf/util/json_util.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tokend/v1/admin.grpc.pb.h"
#include "tokend/v1/token.grpc.pb.h"
#include "tokend_client.h"

namespace {
std::string Env(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}
}  // namespace

// Connection.
ABSL_FLAG(std::string, grpc_addr, Env("TOKEND_GRPC_ADDR", "127.0.0.1:50051"), "TokenService address");
ABSL_FLAG(std::string, admin_addr, Env("TOKEND_ADMIN_ADDR", "127.0.0.1:50052"), "AdminService address");
ABSL_FLAG(std::string, admin_key, Env("TOKEND_ADMIN_KEY", ""), "admin key (default: <data_dir>/admin.key)");
ABSL_FLAG(std::string, data_dir, Env("TOKEND_DATA_DIR", "./var/tokend"), "where to find admin.key");
ABSL_FLAG(bool, tls, false, "use TLS");
ABSL_FLAG(std::string, ca_cert, "", "PEM roots for TLS");
// Client fields.
ABSL_FLAG(std::string, client_id, "", "client id");
ABSL_FLAG(std::string, client_secret, "", "client secret");
ABSL_FLAG(std::string, name, "", "client name");
ABSL_FLAG(std::vector<std::string>, grant_types, {}, "comma-separated grant types");
ABSL_FLAG(std::vector<std::string>, allowed_scopes, {}, "comma-separated allowed scopes");
ABSL_FLAG(std::vector<std::string>, default_scopes, {}, "comma-separated default scopes");
ABSL_FLAG(int64_t, access_ttl, 0, "access token lifetime, seconds");
ABSL_FLAG(int64_t, refresh_ttl, 0, "refresh token lifetime, seconds");
ABSL_FLAG(int, max_user_sessions, -1, "live sessions per user (0 = unlimited)");
ABSL_FLAG(std::vector<std::string>, redirect_uris, {}, "comma-separated redirect URIs");
ABSL_FLAG(std::string, homepage_url, "", "client homepage");
ABSL_FLAG(std::string, logo_url, "", "client logo");
ABSL_FLAG(bool, allow_plain_pkce, false, "client may use the RFC 7636 plain code challenge");
ABSL_FLAG(int, rate_limit, -1, "requests per second per replica; 0 unlimited; unset: server default");
ABSL_FLAG(bool, public_client, false, "a public client (no secret)");
ABSL_FLAG(std::vector<std::string>, permissions, {}, "comma-separated permissions (introspect)");
ABSL_FLAG(std::string, imported_secret, "", "create: keep a migrating client's existing secret");
ABSL_FLAG(std::vector<std::string>, update_mask, {}, "fields to update (default: the flags given)");
ABSL_FLAG(std::string, default_token_format, "", "the client's access-token format: jwt or opaque");
// User fields.
ABSL_FLAG(std::string, username, "", "username");
ABSL_FLAG(std::string, password, "", "password");
ABSL_FLAG(std::string, email, "", "email");
ABSL_FLAG(std::string, full_name, "", "full name");
ABSL_FLAG(std::string, nickname, "", "nickname");
// Token fields.
ABSL_FLAG(std::string, grant, "client_credentials", "client_credentials or password");
ABSL_FLAG(std::string, scope, "", "space-separated scopes");
ABSL_FLAG(std::string, audience, "", "token audience");
ABSL_FLAG(std::string, token_format, "", "access-token format: jwt or opaque (default: the client's)");
ABSL_FLAG(std::string, token, "", "token to introspect or revoke");
ABSL_FLAG(std::string, refresh_token, "", "refresh token");
ABSL_FLAG(std::string, token_type_hint, "", "access_token or refresh_token");
ABSL_FLAG(int, page_size, 0, "page size for list");
ABSL_FLAG(std::string, page_token, "", "page token for list");

namespace tokenctl {

using tokend::client::AddAdminKey;
using tokend::client::AddClientAuth;
namespace v1 = tokend::v1;

int Fail(const std::string& message) {
  std::fprintf(stderr, "tokenctl: %s\n", message.c_str());
  return 1;
}

int Print(const google::protobuf::Message& m) {
  std::string json;
  google::protobuf::util::JsonPrintOptions opts;
  opts.preserve_proto_field_names = true;
  opts.add_whitespace = true;
  (void)google::protobuf::util::MessageToJsonString(m, &json, opts);
  std::fputs(json.c_str(), stdout);
  return 0;
}

int RpcFailure(const grpc::Status& st) {
  auto e = tokend::client::ErrorFromStatus(st);
  std::string code = tokend::client::StatusCodeName(e.status);
  if (!e.error.empty()) return Fail(e.error + ": " + e.description + " (" + code + ")");
  return Fail(code + ": " + e.description);
}

namespace {

std::string AdminKey() {
  std::string key = absl::GetFlag(FLAGS_admin_key);
  if (!key.empty()) return key;
  std::ifstream in(absl::GetFlag(FLAGS_data_dir) + "/admin.key");
  std::stringstream ss;
  ss << in.rdbuf();
  return std::string(absl::StripAsciiWhitespace(ss.str()));
}

tokend::client::ChannelOptions Channel(const std::string& addr) {
  return {addr, absl::GetFlag(FLAGS_tls), absl::GetFlag(FLAGS_ca_cert)};
}

}  // namespace

std::unique_ptr<v1::AdminService::Stub> Admin(grpc::ClientContext* ctx) {
  AddAdminKey(ctx, AdminKey());
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return v1::AdminService::NewStub(tokend::client::Connect(Channel(absl::GetFlag(FLAGS_admin_addr))));
}

namespace {

std::unique_ptr<v1::TokenService::Stub> Tokens(grpc::ClientContext* ctx) {
  if (!absl::GetFlag(FLAGS_client_id).empty()) {
    AddClientAuth(ctx, absl::GetFlag(FLAGS_client_id), absl::GetFlag(FLAGS_client_secret));
  }
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return v1::TokenService::NewStub(tokend::client::Connect(Channel(absl::GetFlag(FLAGS_grpc_addr))));
}

// True when the named flag differs from its default (the user set it).
bool Given(const char* flag) {
  auto* f = absl::FindCommandLineFlag(flag);
  return f != nullptr && f->CurrentValue() != f->DefaultValue();
}

// "jwt" / "opaque" / "" → the proto enum.
v1::TokenFormat FormatFlag(const std::string& value) {
  if (value == "jwt") return v1::TOKEN_FORMAT_JWT;
  if (value == "opaque") return v1::TOKEN_FORMAT_OPAQUE;
  return v1::TOKEN_FORMAT_UNSPECIFIED;
}

template <typename Repeated>
void Fill(Repeated* out, const std::vector<std::string>& v) {
  for (const auto& s : v) out->Add(std::string(s));
}

void ClientFromFlags(v1::Client* c, google::protobuf::FieldMask* mask) {
  auto mark = [&](const char* flag, const char* field) {
    if (mask != nullptr && Given(flag)) mask->add_paths(field);
  };
  c->set_name(absl::GetFlag(FLAGS_name)), mark("name", "name");
  Fill(c->mutable_grant_types(), absl::GetFlag(FLAGS_grant_types)), mark("grant_types", "grant_types");
  Fill(c->mutable_allowed_scopes(), absl::GetFlag(FLAGS_allowed_scopes)), mark("allowed_scopes", "allowed_scopes");
  Fill(c->mutable_default_scopes(), absl::GetFlag(FLAGS_default_scopes)), mark("default_scopes", "default_scopes");
  c->set_access_token_ttl_seconds(absl::GetFlag(FLAGS_access_ttl)), mark("access_ttl", "access_token_ttl_seconds");
  c->set_refresh_token_ttl_seconds(absl::GetFlag(FLAGS_refresh_ttl)), mark("refresh_ttl", "refresh_token_ttl_seconds");
  if (absl::GetFlag(FLAGS_max_user_sessions) >= 0) c->set_max_user_sessions(absl::GetFlag(FLAGS_max_user_sessions));
  mark("max_user_sessions", "max_user_sessions");
  Fill(c->mutable_redirect_uris(), absl::GetFlag(FLAGS_redirect_uris)), mark("redirect_uris", "redirect_uris");
  c->set_homepage_url(absl::GetFlag(FLAGS_homepage_url)), mark("homepage_url", "homepage_url");
  c->set_logo_url(absl::GetFlag(FLAGS_logo_url)), mark("logo_url", "logo_url");
  if (Given("public_client")) {
    c->set_client_type(absl::GetFlag(FLAGS_public_client) ? v1::CLIENT_TYPE_PUBLIC : v1::CLIENT_TYPE_CONFIDENTIAL);
  }
  mark("public_client", "client_type");
  Fill(c->mutable_permissions(), absl::GetFlag(FLAGS_permissions)), mark("permissions", "permissions");
  c->set_default_token_format(FormatFlag(absl::GetFlag(FLAGS_default_token_format)));
  mark("default_token_format", "default_token_format");
  c->set_allow_plain_pkce(absl::GetFlag(FLAGS_allow_plain_pkce)), mark("allow_plain_pkce", "allow_plain_pkce");
  if (absl::GetFlag(FLAGS_rate_limit) >= 0) c->set_rate_limit_per_second(absl::GetFlag(FLAGS_rate_limit));
  mark("rate_limit", "rate_limit_per_second");
  if (mask != nullptr && !absl::GetFlag(FLAGS_update_mask).empty()) {
    mask->clear_paths();
    Fill(mask->mutable_paths(), absl::GetFlag(FLAGS_update_mask));
  }
}

void UserFromFlags(v1::User* u, google::protobuf::FieldMask* mask) {
  for (auto [flag, setter] : std::initializer_list<std::pair<const char*, std::string* (v1::User::*)()>>{
           {"username", &v1::User::mutable_username}, {"email", &v1::User::mutable_email},
           {"full_name", &v1::User::mutable_full_name}, {"nickname", &v1::User::mutable_nickname}}) {
    *(u->*setter)() = absl::FindCommandLineFlag(flag)->CurrentValue();
    if (mask != nullptr && Given(flag)) mask->add_paths(flag);
  }
}

std::string Positional(const Args& args, const char* what) {
  return args.empty() ? std::string() : args[0];
}

}  // namespace

int ClientCommand(const std::string& verb, const Args& args) {
  grpc::ClientContext ctx;
  auto admin = Admin(&ctx);
  std::string id = args.empty() ? absl::GetFlag(FLAGS_client_id) : args[0];
  grpc::Status st;
  if (verb == "create") {
    v1::CreateClientRequest req;
    v1::CreateClientResponse resp;
    ClientFromFlags(req.mutable_client(), nullptr);
    req.mutable_client()->set_client_id(id);
    req.set_imported_secret(absl::GetFlag(FLAGS_imported_secret));
    if (!(st = admin->CreateClient(&ctx, req, &resp)).ok()) return RpcFailure(st);
    // A flat object too, so scripts find client_id and client_secret at the top.
    std::printf("{\"client_id\": \"%s\", \"client_secret\": \"%s\", \"client\": ",
                resp.client().client_id().c_str(), resp.client_secret().c_str());
    Print(resp.client());
    std::printf("}\n");
    return 0;
  }
  if (verb == "list") {
    v1::ListClientsRequest req;
    v1::ListClientsResponse resp;
    req.set_page_size(absl::GetFlag(FLAGS_page_size));
    req.set_page_token(absl::GetFlag(FLAGS_page_token));
    if (!(st = admin->ListClients(&ctx, req, &resp)).ok()) return RpcFailure(st);
    return Print(resp);
  }
  if (id.empty()) return Fail("client " + verb + " needs a client id");
  if (verb == "get") {
    v1::GetClientRequest req;
    v1::GetClientResponse resp;
    req.set_client_id(id);
    if (!(st = admin->GetClient(&ctx, req, &resp)).ok()) return RpcFailure(st);
    return Print(resp.client());
  }
  if (verb == "update") {
    v1::UpdateClientRequest req;
    v1::UpdateClientResponse resp;
    ClientFromFlags(req.mutable_client(), req.mutable_update_mask());
    req.mutable_client()->set_client_id(id);
    if (req.update_mask().paths_size() == 0) return Fail("client update: no field given");
    if (!(st = admin->UpdateClient(&ctx, req, &resp)).ok()) return RpcFailure(st);
    return Print(resp.client());
  }
  if (verb == "delete") {
    v1::DeleteClientRequest req;
    v1::DeleteClientResponse resp;
    req.set_client_id(id);
    if (!(st = admin->DeleteClient(&ctx, req, &resp)).ok()) return RpcFailure(st);
    std::printf("{\"deleted\": \"%s\"}\n", id.c_str());
    return 0;
  }
  if (verb == "rotate-secret") {
    v1::RotateClientSecretRequest req;
    v1::RotateClientSecretResponse resp;
    req.set_client_id(id);
    if (!(st = admin->RotateClientSecret(&ctx, req, &resp)).ok()) return RpcFailure(st);
    return Print(resp);
  }
  return Fail("unknown verb 'client " + verb + "'");
}

int UserCommand(const std::string& verb, const Args& args) {
  grpc::ClientContext ctx;
  auto admin = Admin(&ctx);
  std::string id = Positional(args, "user id");
  grpc::Status st;
  if (verb == "create") {
    v1::CreateUserRequest req;
    v1::CreateUserResponse resp;
    UserFromFlags(req.mutable_user(), nullptr);
    if (std::string e; !UserIdentityFromFlags(req.mutable_user(), nullptr, &e)) return Fail(e);
    req.set_password(absl::GetFlag(FLAGS_password));
    if (!(st = admin->CreateUser(&ctx, req, &resp)).ok()) return RpcFailure(st);
    return Print(resp.user());
  }
  if (verb == "list") {
    v1::ListUsersRequest req;
    v1::ListUsersResponse resp;
    req.set_page_size(absl::GetFlag(FLAGS_page_size));
    req.set_page_token(absl::GetFlag(FLAGS_page_token));
    if (!(st = admin->ListUsers(&ctx, req, &resp)).ok()) return RpcFailure(st);
    return Print(resp);
  }
  if (verb == "get") {
    v1::GetUserRequest req;
    v1::GetUserResponse resp;
    req.set_id(id);
    req.set_username(absl::GetFlag(FLAGS_username));
    if (id.empty() && req.username().empty()) return Fail("user get needs an id or --username");
    if (!(st = admin->GetUser(&ctx, req, &resp)).ok()) return RpcFailure(st);
    return Print(resp.user());
  }
  if (id.empty()) return Fail("user " + verb + " needs a user id");
  if (verb == "update") {
    v1::UpdateUserRequest req;
    v1::UpdateUserResponse resp;
    UserFromFlags(req.mutable_user(), req.mutable_update_mask());
    if (std::string e; !UserIdentityFromFlags(req.mutable_user(), req.mutable_update_mask(), &e)) {
      return Fail(e);
    }
    req.mutable_user()->set_id(id);
    if (req.update_mask().paths_size() == 0) return Fail("user update: no field given");
    if (!(st = admin->UpdateUser(&ctx, req, &resp)).ok()) return RpcFailure(st);
    return Print(resp.user());
  }
  if (verb == "set-password") {
    v1::SetUserPasswordRequest req;
    v1::SetUserPasswordResponse resp;
    req.set_user_id(id);
    req.set_password(absl::GetFlag(FLAGS_password));
    if (!(st = admin->SetUserPassword(&ctx, req, &resp)).ok()) return RpcFailure(st);
    std::printf("{\"updated\": \"%s\"}\n", id.c_str());
    return 0;
  }
  if (verb == "delete") {
    v1::DeleteUserRequest req;
    v1::DeleteUserResponse resp;
    req.set_user_id(id);
    if (!(st = admin->DeleteUser(&ctx, req, &resp)).ok()) return RpcFailure(st);
    std::printf("{\"deleted\": \"%s\"}\n", id.c_str());
    return 0;
  }
  return Fail("unknown verb 'user " + verb + "'");
}

int TokenCommand(const std::string& verb, const Args& args) {
  if (verb == "mint") return MintCommand(args);  // admin API (tokenctl_identity.cc)
  if (verb == "list" || verb == "revoke-all") return TokenAdminCommand(verb, args);  // admin API
  grpc::ClientContext ctx;
  auto tokens = Tokens(&ctx);
  grpc::Status st;
  std::vector<std::string> scopes =
      absl::StrSplit(absl::GetFlag(FLAGS_scope), ' ', absl::SkipEmpty());
  if (verb == "issue") {
    v1::IssueTokenRequest req;
    v1::IssueTokenResponse resp;
    std::string grant = absl::GetFlag(FLAGS_grant);
    if (grant == "client_credentials") {
      req.mutable_client_credentials();
    } else if (grant == "password") {
      req.mutable_password()->set_username(absl::GetFlag(FLAGS_username));
      req.mutable_password()->set_password(absl::GetFlag(FLAGS_password));
    } else {
      return Fail("--grant must be client_credentials or password");
    }
    Fill(req.mutable_scopes(), scopes);
    req.set_audience(absl::GetFlag(FLAGS_audience));
    req.set_token_format(FormatFlag(absl::GetFlag(FLAGS_token_format)));
    if (!(st = tokens->IssueToken(&ctx, req, &resp)).ok()) return RpcFailure(st);
    return Print(resp);
  }
  if (verb == "refresh") {
    v1::RefreshRequest req;
    v1::RefreshResponse resp;
    req.set_refresh_token(args.empty() ? absl::GetFlag(FLAGS_refresh_token) : args[0]);
    Fill(req.mutable_scopes(), scopes);
    req.set_token_format(FormatFlag(absl::GetFlag(FLAGS_token_format)));
    if (!(st = tokens->Refresh(&ctx, req, &resp)).ok()) return RpcFailure(st);
    return Print(resp);
  }
  std::string token = args.empty() ? absl::GetFlag(FLAGS_token) : args[0];
  if (verb == "introspect") {
    v1::IntrospectRequest req;
    v1::IntrospectResponse resp;
    req.set_token(token);
    req.set_token_type_hint(absl::GetFlag(FLAGS_token_type_hint));
    if (!(st = tokens->Introspect(&ctx, req, &resp)).ok()) return RpcFailure(st);
    if (!resp.active()) {
      std::printf("{\"active\": false}\n");
      return 0;
    }
    return Print(resp);
  }
  if (verb == "revoke") {
    v1::RevokeRequest req;
    v1::RevokeResponse resp;
    req.set_token(token);
    req.set_token_type_hint(absl::GetFlag(FLAGS_token_type_hint));
    if (!(st = tokens->Revoke(&ctx, req, &resp)).ok()) return RpcFailure(st);
    std::printf("{\"revoked\": true}\n");
    return 0;
  }
  return Fail("unknown verb 'token " + verb + "'");
}

int KeysCommand(const std::string& verb, const Args& args) {
  grpc::ClientContext ctx;
  auto admin = Admin(&ctx);
  grpc::Status st;
  if (verb == "rotate") {
    v1::RotateSigningKeyRequest req;
    v1::RotateSigningKeyResponse resp;
    if (!(st = admin->RotateSigningKey(&ctx, req, &resp)).ok()) return RpcFailure(st);
    return Print(resp.signing_key());
  }
  if (verb == "list") {
    v1::ListSigningKeysRequest req;
    v1::ListSigningKeysResponse resp;
    if (!(st = admin->ListSigningKeys(&ctx, req, &resp)).ok()) return RpcFailure(st);
    return Print(resp);
  }
  return Fail("unknown verb 'keys " + verb + "'");
}

}  // namespace tokenctl
