// tokend.v1.IdentityService over the gRPC callback API: the Bearer token from
// `authorization` metadata, then one identity core call on the bounded
// executor, which finishes the reactor. Errors carry the OAuth code in the
// status details (status_conversion.h), as TokenService's do.
#pragma once

#include "services/common/bounded_executor.h"
#include "services/identity/bearer_principal.h"
#include "services/identity/identity_service.h"
#include "tokend/v1/identity.grpc.pb.h"

namespace tokend::grpc_adapter {

class IdentityGrpcService final : public v1::IdentityService::CallbackService {
 public:
  IdentityGrpcService(identity::IdentityService& service, const identity::BearerVerifier& verifier,
                      BoundedExecutor& executor)
      : service_(service), verifier_(verifier), executor_(executor) {}

  grpc::ServerUnaryReactor* GetCurrentUser(grpc::CallbackServerContext* ctx,
                                           const v1::GetCurrentUserRequest* request,
                                           v1::GetCurrentUserResponse* response) override;
  grpc::ServerUnaryReactor* GetUserInfo(grpc::CallbackServerContext* ctx,
                                        const v1::GetUserInfoRequest* request,
                                        v1::GetUserInfoResponse* response) override;
  grpc::ServerUnaryReactor* ListUserBadges(grpc::CallbackServerContext* ctx,
                                           const v1::ListUserBadgesRequest* request,
                                           v1::ListUserBadgesResponse* response) override;
  grpc::ServerUnaryReactor* BadgerGrantRole(grpc::CallbackServerContext* ctx,
                                            const v1::BadgerGrantRoleRequest* request,
                                            v1::BadgerGrantRoleResponse* response) override;
  grpc::ServerUnaryReactor* BadgerRevokeRole(grpc::CallbackServerContext* ctx,
                                             const v1::BadgerRevokeRoleRequest* request,
                                             v1::BadgerRevokeRoleResponse* response) override;
  grpc::ServerUnaryReactor* AuthenticateUser(grpc::CallbackServerContext* ctx,
                                             const v1::AuthenticateUserRequest* request,
                                             v1::AuthenticateUserResponse* response) override;
  grpc::ServerUnaryReactor* RegisterUser(grpc::CallbackServerContext* ctx,
                                         const v1::RegisterUserRequest* request,
                                         v1::RegisterUserResponse* response) override;

 private:
  using Work = std::function<absl::Status(const identity::BearerPrincipal&)>;
  // Reads the Bearer token on the reactor thread, then verifies it and runs
  // `work` on the executor; UNAVAILABLE at once when the executor is full.
  grpc::ServerUnaryReactor* Dispatch(grpc::CallbackServerContext* ctx, Work work);

  identity::IdentityService& service_;
  const identity::BearerVerifier& verifier_;
  BoundedExecutor& executor_;
};

}  // namespace tokend::grpc_adapter
