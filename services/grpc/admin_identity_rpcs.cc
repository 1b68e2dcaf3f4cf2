// AdminService's role and MintToken RPCs (declared in admin_grpc_service.h).
#include "services/grpc/admin_grpc_service.h"
#include "services/grpc/identity_convert.h"
#include "services/grpc/status_conversion.h"

namespace tokend::grpc_adapter {
namespace {

#define TOKEND_CHECK_IDENTITY(ctx, part)                                                     \
  if (auto key = CheckKey(ctx); !key.ok()) return key;                                      \
  if ((part) == nullptr) {                                                                   \
    return ToAdminStatus(absl::FailedPreconditionError("the identity API is not configured")); \
  }

}  // namespace

grpc::Status AdminGrpcService::CreateRole(grpc::ServerContext* ctx, const v1::CreateRoleRequest* req,
                                          v1::CreateRoleResponse* resp) {
  TOKEND_CHECK_IDENTITY(ctx, roles_);
  auto role = roles_->Create(RoleFromProto(req->role()));
  if (!role.ok()) return ToAdminStatus(role.status());
  ToProto(*role, resp->mutable_role());
  return grpc::Status::OK;
}

grpc::Status AdminGrpcService::GetRole(grpc::ServerContext* ctx, const v1::GetRoleRequest* req,
                                       v1::GetRoleResponse* resp) {
  TOKEND_CHECK_IDENTITY(ctx, roles_);
  auto role = roles_->Get(req->name());
  if (!role.ok()) return ToAdminStatus(role.status());
  ToProto(*role, resp->mutable_role());
  return grpc::Status::OK;
}

grpc::Status AdminGrpcService::ListRoles(grpc::ServerContext* ctx, const v1::ListRolesRequest*,
                                         v1::ListRolesResponse* resp) {
  TOKEND_CHECK_IDENTITY(ctx, roles_);
  auto roles = roles_->List();
  if (!roles.ok()) return ToAdminStatus(roles.status());
  for (const auto& r : *roles) ToProto(r, resp->add_roles());
  return grpc::Status::OK;
}

grpc::Status AdminGrpcService::UpdateRole(grpc::ServerContext* ctx, const v1::UpdateRoleRequest* req,
                                          v1::UpdateRoleResponse* resp) {
  TOKEND_CHECK_IDENTITY(ctx, roles_);
  auto current = roles_->Get(req->role().name());
  if (!current.ok()) return ToAdminStatus(current.status());
  if (auto st = ApplyRoleMask(req->role(), req->update_mask(), &*current); !st.ok()) {
    return ToAdminStatus(st);
  }
  auto updated = roles_->Update(*current);
  if (!updated.ok()) return ToAdminStatus(updated.status());
  ToProto(*updated, resp->mutable_role());
  return grpc::Status::OK;
}

grpc::Status AdminGrpcService::DeleteRole(grpc::ServerContext* ctx, const v1::DeleteRoleRequest* req,
                                          v1::DeleteRoleResponse*) {
  TOKEND_CHECK_IDENTITY(ctx, roles_);
  return ToAdminStatus(roles_->Delete(req->name()));
}

grpc::Status AdminGrpcService::SetManagedRoles(grpc::ServerContext* ctx,
                                               const v1::SetManagedRolesRequest* req,
                                               v1::SetManagedRolesResponse* resp) {
  TOKEND_CHECK_IDENTITY(ctx, roles_);
  std::vector<std::string> managed(req->managed_roles().begin(), req->managed_roles().end());
  auto role = roles_->SetManagedRoles(req->name(), managed);
  if (!role.ok()) return ToAdminStatus(role.status());
  ToProto(*role, resp->mutable_role());
  return grpc::Status::OK;
}

grpc::Status AdminGrpcService::GrantUserRole(grpc::ServerContext* ctx,
                                             const v1::GrantUserRoleRequest* req,
                                             v1::GrantUserRoleResponse* resp) {
  TOKEND_CHECK_IDENTITY(ctx, roles_);
  auto user = roles_->FindUser(req->user_id(), req->username());
  if (!user.ok()) return ToAdminStatus(user.status());
  auto changed = roles_->Grant(user->id, req->role());
  if (!changed.ok()) return ToAdminStatus(changed.status());
  resp->set_changed(*changed);
  return grpc::Status::OK;
}

grpc::Status AdminGrpcService::RevokeUserRole(grpc::ServerContext* ctx,
                                              const v1::RevokeUserRoleRequest* req,
                                              v1::RevokeUserRoleResponse* resp) {
  TOKEND_CHECK_IDENTITY(ctx, roles_);
  auto user = roles_->FindUser(req->user_id(), req->username());
  if (!user.ok()) return ToAdminStatus(user.status());
  auto changed = roles_->Revoke(user->id, req->role());
  if (!changed.ok()) return ToAdminStatus(changed.status());
  resp->set_changed(*changed);
  return grpc::Status::OK;
}

grpc::Status AdminGrpcService::ListUserRoles(grpc::ServerContext* ctx,
                                             const v1::ListUserRolesRequest* req,
                                             v1::ListUserRolesResponse* resp) {
  TOKEND_CHECK_IDENTITY(ctx, roles_);
  auto user = roles_->FindUser(req->user_id(), req->username());
  if (!user.ok()) return ToAdminStatus(user.status());
  auto roles = roles_->ListUserRoles(user->id);
  if (!roles.ok()) return ToAdminStatus(roles.status());
  for (const auto& r : *roles) ToProto(r, resp->add_roles());
  return grpc::Status::OK;
}

grpc::Status AdminGrpcService::MintToken(grpc::ServerContext* ctx, const v1::MintTokenRequest* req,
                                         v1::MintTokenResponse* resp) {
  TOKEND_CHECK_IDENTITY(ctx, minter_);
  if (!req->has_expire_time()) {
    return ToAdminStatus(absl::InvalidArgumentError("expire_time: required"));
  }
  MintRequest mint{req->user_id(), req->username(), req->client_id(),
                   {req->scopes().begin(), req->scopes().end()}, FromTimestamp(req->expire_time())};
  auto token = minter_->Mint(mint);
  if (!token.ok()) return ToAdminStatus(token.status());
  resp->set_access_token(token->access_token);
  resp->set_token_type(token->token_type);
  resp->set_expires_in(token->expires_in);
  resp->set_scope(token->scope);
  *resp->mutable_expire_time() =
      ToTimestamp(token->issued_at + std::chrono::seconds(token->expires_in));
  return grpc::Status::OK;
}

}  // namespace tokend::grpc_adapter
