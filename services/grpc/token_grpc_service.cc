#include "services/grpc/token_grpc_service.h"

#include "services/grpc/status_conversion.h"
#include "services/grpc/token_convert.h"
#include "services/token/oauth_error.h"

namespace tokend::grpc_adapter {
namespace {

std::string Metadata(grpc::CallbackServerContext* ctx, absl::string_view key) {
  const auto& md = ctx->client_metadata();
  auto it = md.find(grpc::string_ref(key.data(), key.size()));
  if (it == md.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

absl::StatusOr<PresentedCredentials> Credentials(grpc::CallbackServerContext* ctx,
                                                 const v1::ClientCredentials& fields,
                                                 bool has_fields) {
  auto creds = CredentialsOf(Metadata(ctx, "authorization"), fields, has_fields);
  if (creds.ok()) creds->source_address = PeerAddress(ctx->peer());
  return creds;
}

template <typename Response>
void FillToken(const TokenResponse& t, Response* out) {
  out->set_access_token(t.access_token);
  out->set_token_type(t.token_type);
  out->set_expires_in(t.expires_in);
  out->set_refresh_token(t.refresh_token);
  out->set_scope(t.scope);
  int64_t us = storage::ToUnixMicros(t.issued_at);
  out->mutable_issued_at()->set_seconds(us / 1000000);
  out->mutable_issued_at()->set_nanos(static_cast<int>(us % 1000000) * 1000);
}

void FillIntrospection(const Introspection& info, v1::IntrospectResponse* out) {
  out->set_active(info.active);
  if (!info.active) return;
  out->set_scope(info.scope);
  out->set_client_id(info.client_id);
  out->set_username(info.username);
  out->set_token_type(info.token_type);
  out->set_exp(info.exp);
  out->set_iat(info.iat);
  out->set_nbf(info.nbf);
  out->set_sub(info.sub);
  out->set_aud(info.aud);
  out->set_iss(info.iss);
  out->set_jti(info.jti);
}

}  // namespace

grpc::ServerUnaryReactor* TokenGrpcService::Dispatch(grpc::CallbackServerContext* ctx,
                                                     std::function<absl::Status()> work) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  bool queued = executor_.TrySubmit([reactor, work = std::move(work)] {
    reactor->Finish(ToGrpcStatus(work()));
  });
  if (!queued) {
    reactor->Finish(ToGrpcStatus(oauth::Error(oauth::ErrorCode::kTemporarilyUnavailable,
                                              "The server is overloaded; retry shortly.")));
  }
  return reactor;
}

grpc::ServerUnaryReactor* TokenGrpcService::IssueToken(grpc::CallbackServerContext* ctx,
                                                       const v1::IssueTokenRequest* request,
                                                       v1::IssueTokenResponse* response) {
  auto creds = Credentials(ctx, request->credentials(), request->has_credentials());
  auto req = ToTokenRequest(*request);
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  if (!creds.ok() || !req.ok()) {
    reactor->Finish(ToGrpcStatus(!creds.ok() ? creds.status() : req.status()));
    return reactor;
  }
  // client_credentials with a cached client completes from the group-commit
  // writer without occupying an executor thread.
  auto finish = [reactor, response](absl::StatusOr<TokenResponse> token) {
    if (token.ok()) FillToken(*token, response);
    reactor->Finish(ToGrpcStatus(token.status()));
  };
  if (core_.TryTokenNonBlocking(*creds, *req, finish)) return reactor;
  return Dispatch(ctx, [this, creds = *creds, req = *std::move(req), response]() -> absl::Status {
    auto token = core_.Token(creds, req);
    if (!token.ok()) return token.status();
    FillToken(*token, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TokenGrpcService::Refresh(grpc::CallbackServerContext* ctx,
                                                    const v1::RefreshRequest* request,
                                                    v1::RefreshResponse* response) {
  return Dispatch(ctx, [this, ctx, request, response]() -> absl::Status {
    auto creds = Credentials(ctx, request->credentials(), request->has_credentials());
    if (!creds.ok()) return creds.status();
    auto token = core_.Token(*creds, ToRefreshRequest(*request));
    if (!token.ok()) return token.status();
    FillToken(*token, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TokenGrpcService::Introspect(grpc::CallbackServerContext* ctx,
                                                       const v1::IntrospectRequest* request,
                                                       v1::IntrospectResponse* response) {
  auto creds = Credentials(ctx, request->credentials(), request->has_credentials());
  if (!creds.ok()) {
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    reactor->Finish(ToGrpcStatus(creds.status()));
    return reactor;
  }
  // A cached client and token state answer on the reactor thread: nothing
  // blocks there.
  if (auto cached = core_.TryIntrospectCached(*creds, request->token(), request->token_type_hint())) {
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    if (cached->ok()) FillIntrospection(**cached, response);
    reactor->Finish(ToGrpcStatus(cached->status()));
    return reactor;
  }
  return Dispatch(ctx, [this, creds = *creds, request, response]() -> absl::Status {
    auto info = core_.Introspect(creds, request->token(), request->token_type_hint());
    if (!info.ok()) return info.status();
    FillIntrospection(*info, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TokenGrpcService::Revoke(grpc::CallbackServerContext* ctx,
                                                   const v1::RevokeRequest* request,
                                                   v1::RevokeResponse* response) {
  return Dispatch(ctx, [this, ctx, request]() -> absl::Status {
    auto creds = Credentials(ctx, request->credentials(), request->has_credentials());
    if (!creds.ok()) return creds.status();
    return core_.Revoke(*creds, request->token(), request->token_type_hint());
  });
}

grpc::ServerUnaryReactor* TokenGrpcService::GetJwks(grpc::CallbackServerContext* ctx,
                                                    const v1::GetJwksRequest*,
                                                    v1::GetJwksResponse* response) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  auto doc = jwks_ ? jwks_() : nullptr;
  response->set_jwks_json(doc ? *doc : std::string("{\"keys\":[]}"));
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace tokend::grpc_adapter
