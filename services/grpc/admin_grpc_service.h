// tokend.v1.AdminService, served on the admin listener only. Every call must
// carry `authorization: Bearer <admin key>`, compared in constant time.
#pragma once

#include <string>

#include "services/admin/audit_log.h"
#include "services/admin/client_registry.h"
#include "services/admin/role_registry.h"
#include "services/admin/token_inventory.h"
#include "services/admin/token_minter.h"
#include "services/admin/user_registry.h"
#include "services/keys/key_manager.h"
#include "tokend/v1/admin.grpc.pb.h"

namespace tokend::grpc_adapter {

class AdminGrpcService final : public v1::AdminService::Service {
 public:
  // `keys` may be null (no JWT signing keys): the key RPCs then answer
  // FAILED_PRECONDITION. So do the role and MintToken RPCs (defined in
  // admin_identity_rpcs.cc) without `roles` / `minter`, and the audit and
  // token RPCs (admin_ledger_rpcs.cc) without `audit` / `inventory`.
  AdminGrpcService(const std::string& admin_key, ClientRegistry& clients, UserRegistry& users,
                   keys::KeyManager* keys = nullptr, RoleRegistry* roles = nullptr,
                   TokenMinter* minter = nullptr, AuditLog* audit = nullptr,
                   TokenInventory* inventory = nullptr);

  grpc::Status CreateClient(grpc::ServerContext*, const v1::CreateClientRequest*, v1::CreateClientResponse*) override;
  grpc::Status GetClient(grpc::ServerContext*, const v1::GetClientRequest*, v1::GetClientResponse*) override;
  grpc::Status ListClients(grpc::ServerContext*, const v1::ListClientsRequest*, v1::ListClientsResponse*) override;
  grpc::Status UpdateClient(grpc::ServerContext*, const v1::UpdateClientRequest*, v1::UpdateClientResponse*) override;
  grpc::Status DeleteClient(grpc::ServerContext*, const v1::DeleteClientRequest*, v1::DeleteClientResponse*) override;
  grpc::Status RotateClientSecret(grpc::ServerContext*, const v1::RotateClientSecretRequest*, v1::RotateClientSecretResponse*) override;
  grpc::Status CreateUser(grpc::ServerContext*, const v1::CreateUserRequest*, v1::CreateUserResponse*) override;
  grpc::Status GetUser(grpc::ServerContext*, const v1::GetUserRequest*, v1::GetUserResponse*) override;
  grpc::Status ListUsers(grpc::ServerContext*, const v1::ListUsersRequest*, v1::ListUsersResponse*) override;
  grpc::Status UpdateUser(grpc::ServerContext*, const v1::UpdateUserRequest*, v1::UpdateUserResponse*) override;
  grpc::Status SetUserPassword(grpc::ServerContext*, const v1::SetUserPasswordRequest*, v1::SetUserPasswordResponse*) override;
  grpc::Status DeleteUser(grpc::ServerContext*, const v1::DeleteUserRequest*, v1::DeleteUserResponse*) override;
  grpc::Status RotateSigningKey(grpc::ServerContext*, const v1::RotateSigningKeyRequest*, v1::RotateSigningKeyResponse*) override;
  grpc::Status ListSigningKeys(grpc::ServerContext*, const v1::ListSigningKeysRequest*, v1::ListSigningKeysResponse*) override;
  // Identity (admin_identity_rpcs.cc).
  grpc::Status CreateRole(grpc::ServerContext*, const v1::CreateRoleRequest*, v1::CreateRoleResponse*) override;
  grpc::Status GetRole(grpc::ServerContext*, const v1::GetRoleRequest*, v1::GetRoleResponse*) override;
  grpc::Status ListRoles(grpc::ServerContext*, const v1::ListRolesRequest*, v1::ListRolesResponse*) override;
  grpc::Status UpdateRole(grpc::ServerContext*, const v1::UpdateRoleRequest*, v1::UpdateRoleResponse*) override;
  grpc::Status DeleteRole(grpc::ServerContext*, const v1::DeleteRoleRequest*, v1::DeleteRoleResponse*) override;
  grpc::Status SetManagedRoles(grpc::ServerContext*, const v1::SetManagedRolesRequest*, v1::SetManagedRolesResponse*) override;
  grpc::Status GrantUserRole(grpc::ServerContext*, const v1::GrantUserRoleRequest*, v1::GrantUserRoleResponse*) override;
  grpc::Status RevokeUserRole(grpc::ServerContext*, const v1::RevokeUserRoleRequest*, v1::RevokeUserRoleResponse*) override;
  grpc::Status ListUserRoles(grpc::ServerContext*, const v1::ListUserRolesRequest*, v1::ListUserRolesResponse*) override;
  grpc::Status MintToken(grpc::ServerContext*, const v1::MintTokenRequest*, v1::MintTokenResponse*) override;
  // Operating tokend (admin_ledger_rpcs.cc).
  grpc::Status ListAuditEvents(grpc::ServerContext*, const v1::ListAuditEventsRequest*, v1::ListAuditEventsResponse*) override;
  grpc::Status ListTokens(grpc::ServerContext*, const v1::ListTokensRequest*, v1::ListTokensResponse*) override;
  grpc::Status RevokeTokens(grpc::ServerContext*, const v1::RevokeTokensRequest*,
                            grpc::ServerWriter<v1::RevokeTokensResponse>*) override;

 private:
  // UNAUTHENTICATED unless the call carries the admin key.
  grpc::Status CheckKey(grpc::ServerContext* ctx) const;

  std::string admin_key_digest_;
  ClientRegistry& clients_;
  UserRegistry& users_;
  keys::KeyManager* keys_;
  RoleRegistry* roles_;
  TokenMinter* minter_;
  AuditLog* audit_;
  TokenInventory* inventory_;
};

}  // namespace tokend::grpc_adapter
