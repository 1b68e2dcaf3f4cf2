// TokenClient: tokend's TokenService (issue, refresh, introspect, revoke) for
// one OAuth client, answering a value or the OAuthError of the failed call.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "tokend/v1/token.grpc.pb.h"
#include "tokend_client.h"

namespace tokend::client {

// A value, or the OAuthError (gRPC status + exact RFC 6749 code) of a failed call.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}           // NOLINT: implicit by design
  Result(OAuthError error) : v_(std::move(error)) {}  // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  // Preconditions: ok() for value(), !ok() for error().
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  const T* operator->() const { return &value(); }
  const OAuthError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, OAuthError> v_;
};

// An issued token (RFC 6749 §5.1).
struct Token {
  std::string access_token;
  std::string token_type;     // "Bearer"
  std::string refresh_token;  // empty for client_credentials
  std::string scope;          // space separated
  int64_t expires_in = 0;     // seconds
  std::vector<std::string> Scopes() const;
};

// RFC 7662; an expired, revoked or unknown token has only active == false.
struct Introspection {
  bool active = false;
  std::string scope, client_id, username, token_type, sub, aud, iss, jti;
  int64_t exp = 0, iat = 0;
  std::vector<std::string> Scopes() const;
};

// client_credentials, or password when username is set. Empty scopes: the
// client's default scopes.
struct IssueOptions {
  std::vector<std::string> scopes;
  std::string username;
  std::string password;
  std::string audience;
  std::string request_id;  // sent as x-request-id; empty: tokend makes one
};

// Grants tokens; TokenClient is one (tests substitute fakes).
class Issuer {
 public:
  virtual ~Issuer() = default;
  // The token, or the OAuthError of the failed call.
  virtual Result<Token> Issue(const IssueOptions& options) const = 0;
};

// Thread-safe. Every call authenticates with `authorization: Basic …`.
class TokenClient : public Issuer {
 public:
  TokenClient(std::shared_ptr<grpc::ChannelInterface> channel, std::string client_id,
              std::string client_secret,
              std::chrono::milliseconds timeout = std::chrono::seconds(10));

  const std::string& client_id() const { return client_id_; }

  // RFC 6749 §4.4 client_credentials, or §4.3 password when a username is given.
  Result<Token> Issue(const IssueOptions& options = {}) const override;
  // RFC 6749 §6: spends the refresh token; a spent one fails with invalid_grant.
  Result<Token> Refresh(const std::string& refresh_token,
                        const std::vector<std::string>& scopes = {}) const;
  // RFC 7662; an inactive token is an answer, not an error.
  Result<Introspection> Introspect(const std::string& token) const;
  // RFC 7009; an unknown token is not an error. Returns the error, if any.
  std::optional<OAuthError> Revoke(const std::string& token) const;

 private:
  // Runs one authenticated call: rpc(ctx, &response).
  template <typename Response, typename Rpc>
  Result<Response> Call(Rpc rpc, const std::string& request_id = "") const;

  std::unique_ptr<v1::TokenService::Stub> stub_;
  std::string client_id_;
  std::string client_secret_;
  std::chrono::milliseconds timeout_;
};

}  // namespace tokend::client
