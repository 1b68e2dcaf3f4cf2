// The protobuf request path on arbitrary bytes: the first byte picks a
// tokend.v1 request type (and whether the call carries Basic metadata), the
// rest is parsed as that message and goes through the same conversion and
// validation as in the gRPC adapters (services/grpc/token_convert.h,
// admin_convert.h) into a real core and registries over in-memory fakes.
//
// Invariants: token calls fail only with a client-side OAuth error (never
// server_error or temporarily_unavailable: the fakes do not fail); admin
// calls fail only with INVALID_ARGUMENT (or ALREADY_EXISTS); what the client
// registry accepts passes Validate again after a proto round trip.
#include <cstddef>
#include <cstdint>
#include <string>

#include <google/protobuf/stubs/logging.h>

#include "services/admin/client_registry.h"
#include "services/admin/user_registry.h"
#include "services/common/basic_auth.h"
#include "services/grpc/admin_convert.h"
#include "services/grpc/token_convert.h"
#include "services/token/oauth_error.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/unit/http_fakes.h"
#include "tokend/v1/admin.pb.h"
#include "tokend/v1/token.pb.h"

namespace tokend {
namespace {

using grpc_adapter::CredentialsOf;

enum Kind : uint8_t {
  kIssueToken,
  kRefresh,
  kIntrospect,
  kRevoke,
  kCreateClient,
  kUpdateClient,
  kCreateUser,
  kUpdateUser,
  kKinds,
};

// A token call's answer: OK, or an error the client caused.
void CheckTokenStatus(const absl::Status& st) {
  if (st.ok()) return;
  oauth::ErrorCode code = oauth::CodeOf(st);
  FUZZ_CHECK(code != oauth::ErrorCode::kServerError &&
             code != oauth::ErrorCode::kTemporarilyUnavailable);
}

void CheckAdminStatus(const absl::Status& st) {
  FUZZ_CHECK(st.ok() || absl::IsInvalidArgument(st) || absl::IsAlreadyExists(st) ||
             absl::IsFailedPrecondition(st));
}

template <typename Message>
bool ParseAs(absl::string_view bytes, Message* out) {
  return out->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
}

void TokenCall(Kind kind, absl::string_view bytes, absl::string_view metadata) {
  testing::FakeCore fake;
  fake.AddClient("app", "s3cret");
  fake.AddUser("u-1", "alice", "wonderland");
  TokenService& core = fake.core();
  switch (kind) {
    case kIssueToken: {
      v1::IssueTokenRequest req;
      if (!ParseAs(bytes, &req)) return;
      auto creds = CredentialsOf(metadata, req.credentials(), req.has_credentials());
      auto request = grpc_adapter::ToTokenRequest(req);
      if (!creds.ok() || !request.ok()) {
        CheckTokenStatus(!creds.ok() ? creds.status() : request.status());
        FUZZ_CHECK(oauth::CodeOf(!creds.ok() ? creds.status() : request.status()) ==
                   oauth::ErrorCode::kInvalidRequest);
        return;
      }
      FUZZ_CHECK(request->grant_type == "client_credentials" || request->grant_type == "password" ||
                 request->grant_type == "authorization_code");
      CheckTokenStatus(core.Token(*creds, *request).status());
      return;
    }
    case kRefresh: {
      v1::RefreshRequest req;
      if (!ParseAs(bytes, &req)) return;
      auto creds = CredentialsOf(metadata, req.credentials(), req.has_credentials());
      if (!creds.ok()) return CheckTokenStatus(creds.status());
      TokenRequest request = grpc_adapter::ToRefreshRequest(req);
      FUZZ_CHECK(request.grant_type == "refresh_token");
      FUZZ_CHECK(request.scopes.has_value() == (req.scopes_size() > 0));
      CheckTokenStatus(core.Token(*creds, request).status());
      return;
    }
    case kIntrospect: {
      v1::IntrospectRequest req;
      if (!ParseAs(bytes, &req)) return;
      auto creds = CredentialsOf(metadata, req.credentials(), req.has_credentials());
      if (!creds.ok()) return CheckTokenStatus(creds.status());
      auto info = core.Introspect(*creds, req.token(), req.token_type_hint());
      CheckTokenStatus(info.status());
      // Nobody can guess a live token.
      if (info.ok()) FUZZ_CHECK(!info->active);
      return;
    }
    case kRevoke: {
      v1::RevokeRequest req;
      if (!ParseAs(bytes, &req)) return;
      auto creds = CredentialsOf(metadata, req.credentials(), req.has_credentials());
      if (!creds.ok()) return CheckTokenStatus(creds.status());
      CheckTokenStatus(core.Revoke(*creds, req.token(), req.token_type_hint()));
      return;
    }
    default:
      return;
  }
}

// The record an accepted client became, back through the admin protos.
void CheckClientRoundTrip(const storage::ClientRecord& record) {
  FUZZ_CHECK(ClientRegistry::Validate(record).ok());
  v1::Client proto;
  grpc_adapter::ToProto(record, &proto);
  storage::ClientRecord back = grpc_adapter::ClientFromProto(proto);
  FUZZ_CHECK(back.client_id == record.client_id && back.grant_types == record.grant_types &&
             back.allowed_scopes == record.allowed_scopes &&
             back.default_scopes == record.default_scopes &&
             back.redirect_uris == record.redirect_uris &&
             back.confidential == record.confidential &&
             back.access_ttl_seconds == record.access_ttl_seconds &&
             back.refresh_ttl_seconds == record.refresh_ttl_seconds &&
             back.max_user_sessions == record.max_user_sessions);
  FUZZ_CHECK(ClientRegistry::Validate(back).ok());
}

void AdminCall(Kind kind, absl::string_view bytes) {
  testing::FakeClientStore client_store;
  ClientAuthenticator authenticator(client_store, absl::Seconds(30));
  ClientRegistry clients(client_store, authenticator);
  testing::FakeUserStore user_store;
  PasswordHasher hasher(crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN, 1);
  UserRegistry users(user_store, hasher);
  switch (kind) {
    case kCreateClient: {
      v1::CreateClientRequest req;
      if (!ParseAs(bytes, &req)) return;
      auto created = clients.Create(grpc_adapter::ClientFromProto(req.client()),
                                    req.imported_secret());
      CheckAdminStatus(created.status());
      if (!created.ok()) return;
      CheckClientRoundTrip(created->client);
      FUZZ_CHECK(created->client.confidential == !created->client_secret.empty());
      return;
    }
    case kUpdateClient: {
      v1::UpdateClientRequest req;
      if (!ParseAs(bytes, &req)) return;
      // An existing client, as UpdateClient merges the mask onto it.
      storage::ClientRecord existing;
      existing.client_id = "app";
      existing.name = "app";
      existing.grant_types = {"client_credentials", "password"};
      existing.allowed_scopes = {"read", "write"};
      existing.default_scopes = {"read"};
      FUZZ_CHECK(clients.Create(existing).ok());
      auto record = clients.Get("app");
      FUZZ_CHECK(record.ok());
      absl::Status st = grpc_adapter::ApplyClientMask(req.client(), req.update_mask(), &*record);
      CheckAdminStatus(st);
      if (!st.ok()) return;
      auto updated = clients.Update(*record);
      CheckAdminStatus(updated.status());
      if (updated.ok()) CheckClientRoundTrip(*updated);
      return;
    }
    case kCreateUser: {
      v1::CreateUserRequest req;
      if (!ParseAs(bytes, &req)) return;
      auto created = users.Create(grpc_adapter::UserFromProto(req.user()), req.password());
      CheckAdminStatus(created.status());
      if (created.ok()) FUZZ_CHECK(UserRegistry::Validate(*created).ok());
      return;
    }
    case kUpdateUser: {
      v1::UpdateUserRequest req;
      if (!ParseAs(bytes, &req)) return;
      storage::UserRecord existing;
      existing.username = "alice";
      auto alice = users.Create(existing, "wonderland");
      FUZZ_CHECK(alice.ok());
      storage::UserRecord record = *alice;
      absl::Status st = grpc_adapter::ApplyUserMask(req.user(), req.update_mask(), &record);
      CheckAdminStatus(st);
      if (!st.ok()) return;
      auto updated = users.Update(record);
      CheckAdminStatus(updated.status());
      if (updated.ok()) FUZZ_CHECK(UserRegistry::Validate(*updated).ok());
      return;
    }
    default:
      return;
  }
}

}  // namespace
}  // namespace tokend

// Invalid UTF-8 in a string field is a parse failure protobuf also logs:
// keep the fuzzer's output readable.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tokend;
  if (size == 0) return 0;
  auto kind = static_cast<Kind>((data[0] & 0x7f) % kKinds);
  // The high bit: the call also carries `authorization: Basic` metadata.
  static const std::string* const kBasic = new std::string(basic_auth::Format("app", "s3cret"));
  absl::string_view metadata = (data[0] & 0x80) ? absl::string_view(*kBasic) : "";
  absl::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (kind <= kRevoke) {
    TokenCall(kind, bytes, metadata);
  } else {
    AdminCall(kind, bytes);
  }
  return 0;
}
