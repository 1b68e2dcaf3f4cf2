#include "services/grpc/identity_grpc_service.h"

#include "services/common/bearer_token.h"
#include "services/grpc/identity_convert.h"
#include "services/grpc/status_conversion.h"
#include "services/token/oauth_error.h"

namespace tokend::grpc_adapter {
namespace {

std::string Authorization(grpc::CallbackServerContext* ctx) {
  const auto& md = ctx->client_metadata();
  auto it = md.find("authorization");
  if (it == md.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

}  // namespace

grpc::ServerUnaryReactor* IdentityGrpcService::Dispatch(grpc::CallbackServerContext* ctx,
                                                        Work work) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  bearer::Presented presented = bearer::Parse(Authorization(ctx));
  if (presented.presence != bearer::Presence::kToken) {
    reactor->Finish(ToGrpcStatus(oauth::Error(
        oauth::ErrorCode::kInvalidToken,
        presented.presence == bearer::Presence::kNone
            ? "The call needs 'authorization: Bearer <access token>' metadata."
            : "The authorization metadata holds a malformed Bearer token.")));
    return reactor;
  }
  bool queued = executor_.TrySubmit(
      [this, reactor, token = std::move(presented.token), work = std::move(work)] {
        auto principal = verifier_.Verify(token);
        reactor->Finish(ToGrpcStatus(principal.ok() ? work(*principal) : principal.status()));
      });
  if (!queued) {
    reactor->Finish(ToGrpcStatus(oauth::Error(oauth::ErrorCode::kTemporarilyUnavailable,
                                              "The server is overloaded; retry shortly.")));
  }
  return reactor;
}

grpc::ServerUnaryReactor* IdentityGrpcService::GetCurrentUser(grpc::CallbackServerContext* ctx,
                                                              const v1::GetCurrentUserRequest*,
                                                              v1::GetCurrentUserResponse* response) {
  return Dispatch(ctx, [this, response](const identity::BearerPrincipal& p) -> absl::Status {
    auto profile = service_.Me(p);
    if (!profile.ok()) return profile.status();
    ToProto(*profile, response->mutable_user());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* IdentityGrpcService::GetUserInfo(grpc::CallbackServerContext* ctx,
                                                           const v1::GetUserInfoRequest* request,
                                                           v1::GetUserInfoResponse* response) {
  return Dispatch(ctx, [this, request, response](const identity::BearerPrincipal& p) -> absl::Status {
    auto profile = service_.UserInfo(p, request->user_id());
    if (!profile.ok()) return profile.status();
    ToProto(*profile, response->mutable_user());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* IdentityGrpcService::ListUserBadges(grpc::CallbackServerContext* ctx,
                                                              const v1::ListUserBadgesRequest* request,
                                                              v1::ListUserBadgesResponse* response) {
  return Dispatch(ctx, [this, request, response](const identity::BearerPrincipal& p) -> absl::Status {
    auto list = service_.Badges(p, request->user_id());
    if (!list.ok()) return list.status();
    response->set_user_id(list->user_id);
    for (const auto& b : list->badges) ToProto(b, response->add_badges());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* IdentityGrpcService::BadgerGrantRole(
    grpc::CallbackServerContext* ctx, const v1::BadgerGrantRoleRequest* request,
    v1::BadgerGrantRoleResponse* response) {
  return Dispatch(ctx, [this, request, response](const identity::BearerPrincipal& p) -> absl::Status {
    auto result = service_.BadgerGrant(p, request->role(), request->email());
    if (!result.ok()) return result.status();
    response->set_changed(*result == identity::BadgerResult::kOk);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* IdentityGrpcService::BadgerRevokeRole(
    grpc::CallbackServerContext* ctx, const v1::BadgerRevokeRoleRequest* request,
    v1::BadgerRevokeRoleResponse* response) {
  return Dispatch(ctx, [this, request, response](const identity::BearerPrincipal& p) -> absl::Status {
    auto result = service_.BadgerRevoke(p, request->role(), request->email());
    if (!result.ok()) return result.status();
    response->set_changed(*result == identity::BadgerResult::kOk);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* IdentityGrpcService::AuthenticateUser(
    grpc::CallbackServerContext* ctx, const v1::AuthenticateUserRequest* request,
    v1::AuthenticateUserResponse* response) {
  return Dispatch(ctx, [this, request, response](const identity::BearerPrincipal& p) -> absl::Status {
    auto user = service_.Authenticate(p, request->email(), request->password());
    if (!user.ok()) return user.status();
    response->set_user_id(user->user_id);
    response->set_email(user->email);
    response->set_full_name(user->full_name);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* IdentityGrpcService::RegisterUser(grpc::CallbackServerContext* ctx,
                                                            const v1::RegisterUserRequest* request,
                                                            v1::RegisterUserResponse* response) {
  return Dispatch(ctx, [this, request, response](const identity::BearerPrincipal& p) -> absl::Status {
    identity::NewUser user{request->email(), request->full_name(), request->password(),
                           request->nickname()};
    auto id = service_.CreateUser(p, user);
    if (!id.ok()) return id.status();
    response->set_user_id(*id);
    return absl::OkStatus();
  });
}

}  // namespace tokend::grpc_adapter
