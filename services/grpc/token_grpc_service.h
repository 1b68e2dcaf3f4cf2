// tokend.v1.TokenService over the gRPC callback API. Each reaction hands the
// blocking core call to the bounded executor, which finishes the reactor;
// nothing blocks a gRPC thread.
#pragma once

#include "services/common/bounded_executor.h"
#include "services/token/token_service.h"
#include "tokend/v1/token.grpc.pb.h"

namespace tokend::grpc_adapter {

class TokenGrpcService final : public v1::TokenService::CallbackService {
 public:
  // The current JWKS document (services/keys); null: no JWT keys.
  using JwksSource = std::function<std::shared_ptr<const std::string>()>;

  TokenGrpcService(TokenService& core, BoundedExecutor& executor, JwksSource jwks = {})
      : core_(core), executor_(executor), jwks_(std::move(jwks)) {}

  grpc::ServerUnaryReactor* IssueToken(grpc::CallbackServerContext* ctx,
                                       const v1::IssueTokenRequest* request,
                                       v1::IssueTokenResponse* response) override;
  grpc::ServerUnaryReactor* Refresh(grpc::CallbackServerContext* ctx,
                                    const v1::RefreshRequest* request,
                                    v1::RefreshResponse* response) override;
  grpc::ServerUnaryReactor* Introspect(grpc::CallbackServerContext* ctx,
                                       const v1::IntrospectRequest* request,
                                       v1::IntrospectResponse* response) override;
  grpc::ServerUnaryReactor* Revoke(grpc::CallbackServerContext* ctx,
                                   const v1::RevokeRequest* request,
                                   v1::RevokeResponse* response) override;
  // From memory, on the reactor thread.
  grpc::ServerUnaryReactor* GetJwks(grpc::CallbackServerContext* ctx,
                                    const v1::GetJwksRequest* request,
                                    v1::GetJwksResponse* response) override;

 private:
  // Runs `work` on the executor and finishes the reactor with its status;
  // answers UNAVAILABLE at once when the executor is saturated.
  grpc::ServerUnaryReactor* Dispatch(grpc::CallbackServerContext* ctx,
                                     std::function<absl::Status()> work);

  TokenService& core_;
  BoundedExecutor& executor_;
  JwksSource jwks_;
};

}  // namespace tokend::grpc_adapter
