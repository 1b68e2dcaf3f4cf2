#include "token_client.h"

#include "absl/strings/str_split.h"

namespace tokend::client {
namespace {

std::vector<std::string> SplitScope(const std::string& scope) {
  return absl::StrSplit(scope, ' ', absl::SkipEmpty());
}

template <typename Response>
Token ToToken(const Response& r) {
  return Token{r.access_token(), r.token_type(), r.refresh_token(), r.scope(), r.expires_in()};
}

}  // namespace

std::vector<std::string> Token::Scopes() const { return SplitScope(scope); }
std::vector<std::string> Introspection::Scopes() const { return SplitScope(scope); }

TokenClient::TokenClient(std::shared_ptr<grpc::ChannelInterface> channel, std::string client_id,
                         std::string client_secret, std::chrono::milliseconds timeout)
    : stub_(v1::TokenService::NewStub(std::move(channel))),
      client_id_(std::move(client_id)),
      client_secret_(std::move(client_secret)),
      timeout_(timeout) {}

template <typename Response, typename Rpc>
Result<Response> TokenClient::Call(Rpc rpc, const std::string& request_id) const {
  grpc::ClientContext ctx;
  AddClientAuth(&ctx, client_id_, client_secret_);
  if (!request_id.empty()) AddRequestId(&ctx, request_id);
  ctx.set_deadline(std::chrono::system_clock::now() + timeout_);
  Response response;
  grpc::Status status = rpc(&ctx, &response);
  if (!status.ok()) {
    OAuthError error = ErrorFromStatus(status);
    error.request_id = ResponseRequestId(ctx);
    return error;
  }
  return response;
}

Result<Token> TokenClient::Issue(const IssueOptions& options) const {
  v1::IssueTokenRequest req;
  for (const auto& s : options.scopes) req.add_scopes(s);
  req.set_audience(options.audience);
  if (options.username.empty()) {
    req.mutable_client_credentials();
  } else {
    req.mutable_password()->set_username(options.username);
    req.mutable_password()->set_password(options.password);
  }
  auto r = Call<v1::IssueTokenResponse>(
      [&](auto* ctx, auto* resp) { return stub_->IssueToken(ctx, req, resp); },
      options.request_id);
  if (!r.ok()) return r.error();
  return ToToken(*r);
}

Result<Token> TokenClient::Refresh(const std::string& refresh_token,
                                   const std::vector<std::string>& scopes) const {
  v1::RefreshRequest req;
  req.set_refresh_token(refresh_token);
  for (const auto& s : scopes) req.add_scopes(s);
  auto r = Call<v1::RefreshResponse>(
      [&](auto* ctx, auto* resp) { return stub_->Refresh(ctx, req, resp); });
  if (!r.ok()) return r.error();
  return ToToken(*r);
}

Result<Introspection> TokenClient::Introspect(const std::string& token) const {
  v1::IntrospectRequest req;
  req.set_token(token);
  auto r = Call<v1::IntrospectResponse>(
      [&](auto* ctx, auto* resp) { return stub_->Introspect(ctx, req, resp); });
  if (!r.ok()) return r.error();
  return Introspection{r->active(),     r->scope(), r->client_id(), r->username(),
                       r->token_type(), r->sub(),   r->aud(),       r->iss(),
                       r->jti(),        r->exp(),   r->iat()};
}

std::optional<OAuthError> TokenClient::Revoke(const std::string& token) const {
  v1::RevokeRequest req;
  req.set_token(token);
  auto r = Call<v1::RevokeResponse>(
      [&](auto* ctx, auto* resp) { return stub_->Revoke(ctx, req, resp); });
  if (!r.ok()) return r.error();
  return std::nullopt;
}

}  // namespace tokend::client
