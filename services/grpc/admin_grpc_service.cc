#include "services/grpc/admin_grpc_service.h"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "services/common/secrets.h"
#include "services/grpc/admin_convert.h"
#include "services/grpc/status_conversion.h"

namespace tokend::grpc_adapter {
namespace {

storage::PageRequest Page(int32_t size, const std::string& token) {
  storage::PageRequest page;
  page.limit = size <= 0 ? 50 : std::min(size, 1000);
  std::string after;
  if (!token.empty() && absl::WebSafeBase64Unescape(token, &after)) page.after = after;
  return page;
}

std::string NextToken(const std::string& last_key, size_t got, const storage::PageRequest& page) {
  if (got < static_cast<size_t>(page.limit)) return "";
  return absl::WebSafeBase64Escape(last_key);
}

#define TOKEND_CHECK_KEY(ctx)                   \
  if (auto key = CheckKey(ctx); !key.ok()) return key

}  // namespace

AdminGrpcService::AdminGrpcService(const std::string& admin_key, ClientRegistry& clients,
                                   UserRegistry& users, keys::KeyManager* keys,
                                   RoleRegistry* roles, TokenMinter* minter, AuditLog* audit,
                                   TokenInventory* inventory)
    : admin_key_digest_(secrets::Sha256(admin_key)),
      clients_(clients),
      users_(users),
      keys_(keys),
      roles_(roles),
      minter_(minter),
      audit_(audit),
      inventory_(inventory) {}

grpc::Status AdminGrpcService::CheckKey(grpc::ServerContext* ctx) const {
  const auto& md = ctx->client_metadata();
  auto it = md.find("authorization");
  if (it != md.end()) {
    absl::string_view v(it->second.data(), it->second.size());
    if (v.size() > 7 && absl::EqualsIgnoreCase(v.substr(0, 7), "bearer ") &&
        secrets::ConstantTimeEquals(secrets::Sha256(v.substr(7)), admin_key_digest_)) {
      return grpc::Status::OK;
    }
  }
  return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                      "the admin API needs 'authorization: Bearer <admin key>'");
}

grpc::Status AdminGrpcService::CreateClient(grpc::ServerContext* ctx, const v1::CreateClientRequest* req,
                                            v1::CreateClientResponse* resp) {
  TOKEND_CHECK_KEY(ctx);
  auto created = clients_.Create(ClientFromProto(req->client()), req->imported_secret());
  if (!created.ok()) return ToAdminStatus(created.status());
  ToProto(created->client, resp->mutable_client());
  resp->set_client_secret(created->client_secret);
  return grpc::Status::OK;
}

grpc::Status AdminGrpcService::GetClient(grpc::ServerContext* ctx, const v1::GetClientRequest* req,
                                         v1::GetClientResponse* resp) {
  TOKEND_CHECK_KEY(ctx);
  auto client = clients_.Get(req->client_id());
  if (!client.ok()) return ToAdminStatus(client.status());
  ToProto(*client, resp->mutable_client());
  return grpc::Status::OK;
}

grpc::Status AdminGrpcService::ListClients(grpc::ServerContext* ctx, const v1::ListClientsRequest* req,
                                           v1::ListClientsResponse* resp) {
  TOKEND_CHECK_KEY(ctx);
  storage::PageRequest page = Page(req->page_size(), req->page_token());
  auto list = clients_.List(page);
  if (!list.ok()) return ToAdminStatus(list.status());
  for (const auto& c : *list) ToProto(c, resp->add_clients());
  if (!list->empty()) resp->set_next_page_token(NextToken(list->back().client_id, list->size(), page));
  return grpc::Status::OK;
}

grpc::Status AdminGrpcService::UpdateClient(grpc::ServerContext* ctx, const v1::UpdateClientRequest* req,
                                            v1::UpdateClientResponse* resp) {
  TOKEND_CHECK_KEY(ctx);
  auto current = clients_.Get(req->client().client_id());
  if (!current.ok()) return ToAdminStatus(current.status());
  if (auto st = ApplyClientMask(req->client(), req->update_mask(), &*current); !st.ok()) {
    return ToAdminStatus(st);
  }
  auto updated = clients_.Update(*current);
  if (!updated.ok()) return ToAdminStatus(updated.status());
  ToProto(*updated, resp->mutable_client());
  return grpc::Status::OK;
}

grpc::Status AdminGrpcService::DeleteClient(grpc::ServerContext* ctx, const v1::DeleteClientRequest* req,
                                            v1::DeleteClientResponse*) {
  TOKEND_CHECK_KEY(ctx);
  return ToAdminStatus(clients_.Delete(req->client_id()));
}

grpc::Status AdminGrpcService::RotateClientSecret(grpc::ServerContext* ctx,
                                                  const v1::RotateClientSecretRequest* req,
                                                  v1::RotateClientSecretResponse* resp) {
  TOKEND_CHECK_KEY(ctx);
  auto secret = clients_.RotateSecret(req->client_id());
  if (!secret.ok()) return ToAdminStatus(secret.status());
  resp->set_client_id(req->client_id());
  resp->set_client_secret(*secret);
  return grpc::Status::OK;
}

grpc::Status AdminGrpcService::CreateUser(grpc::ServerContext* ctx, const v1::CreateUserRequest* req,
                                          v1::CreateUserResponse* resp) {
  TOKEND_CHECK_KEY(ctx);
  auto user = users_.Create(UserFromProto(req->user()), req->password());
  if (!user.ok()) return ToAdminStatus(user.status());
  ToProto(*user, resp->mutable_user());
  return grpc::Status::OK;
}

grpc::Status AdminGrpcService::GetUser(grpc::ServerContext* ctx, const v1::GetUserRequest* req,
                                       v1::GetUserResponse* resp) {
  TOKEND_CHECK_KEY(ctx);
  auto user = req->id().empty() ? users_.GetByUsername(req->username()) : users_.Get(req->id());
  if (!user.ok()) return ToAdminStatus(user.status());
  ToProto(*user, resp->mutable_user());
  return grpc::Status::OK;
}

grpc::Status AdminGrpcService::ListUsers(grpc::ServerContext* ctx, const v1::ListUsersRequest* req,
                                         v1::ListUsersResponse* resp) {
  TOKEND_CHECK_KEY(ctx);
  storage::PageRequest page = Page(req->page_size(), req->page_token());
  auto list = users_.List(page);
  if (!list.ok()) return ToAdminStatus(list.status());
  for (const auto& u : *list) ToProto(u, resp->add_users());
  if (!list->empty()) resp->set_next_page_token(NextToken(list->back().id, list->size(), page));
  return grpc::Status::OK;
}

grpc::Status AdminGrpcService::UpdateUser(grpc::ServerContext* ctx, const v1::UpdateUserRequest* req,
                                          v1::UpdateUserResponse* resp) {
  TOKEND_CHECK_KEY(ctx);
  auto current = users_.Get(req->user().id());
  if (!current.ok()) return ToAdminStatus(current.status());
  if (auto st = ApplyUserMask(req->user(), req->update_mask(), &*current); !st.ok()) {
    return ToAdminStatus(st);
  }
  auto updated = users_.Update(*current);
  if (!updated.ok()) return ToAdminStatus(updated.status());
  ToProto(*updated, resp->mutable_user());
  return grpc::Status::OK;
}

grpc::Status AdminGrpcService::SetUserPassword(grpc::ServerContext* ctx,
                                               const v1::SetUserPasswordRequest* req,
                                               v1::SetUserPasswordResponse*) {
  TOKEND_CHECK_KEY(ctx);
  return ToAdminStatus(users_.SetPassword(req->user_id(), req->password()));
}

grpc::Status AdminGrpcService::DeleteUser(grpc::ServerContext* ctx, const v1::DeleteUserRequest* req,
                                          v1::DeleteUserResponse*) {
  TOKEND_CHECK_KEY(ctx);
  return ToAdminStatus(users_.Delete(req->user_id()));
}

grpc::Status AdminGrpcService::RotateSigningKey(grpc::ServerContext* ctx,
                                                const v1::RotateSigningKeyRequest*,
                                                v1::RotateSigningKeyResponse* resp) {
  TOKEND_CHECK_KEY(ctx);
  if (keys_ == nullptr) return ToAdminStatus(absl::FailedPreconditionError("no JWT signing keys"));
  auto key = keys_->Rotate();
  if (!key.ok()) return ToAdminStatus(key.status());
  ToProto(*key, resp->mutable_signing_key());
  return grpc::Status::OK;
}

grpc::Status AdminGrpcService::ListSigningKeys(grpc::ServerContext* ctx,
                                               const v1::ListSigningKeysRequest*,
                                               v1::ListSigningKeysResponse* resp) {
  TOKEND_CHECK_KEY(ctx);
  if (keys_ == nullptr) return ToAdminStatus(absl::FailedPreconditionError("no JWT signing keys"));
  auto list = keys_->ListKeys();
  if (!list.ok()) return ToAdminStatus(list.status());
  for (const auto& k : *list) ToProto(k, resp->add_signing_keys());
  return grpc::Status::OK;
}

}  // namespace tokend::grpc_adapter
