// The OAuth core's entry point: token, introspection and revocation requests
// from any transport (gRPC adapter, HTTP bridge). Blocking: call it from an
// executor thread, never from an I/O or reactor thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "services/token/client_auth.h"
#include "services/token/grants/grant_handler.h"
#include "services/token/token_cache.h"
#include "services/token/rate_limit_reporter.h"
#include "services/token/rate_limiter.h"
#include "services/token/token_metrics.h"
#include "services/token/token_format/token_formats.h"
#include "storage/ledger.h"

namespace tokend {

class TokenService {
 public:
  struct Options {
    std::string issuer;  // the `iss` reported by Introspect
    // Requests per second per client (per replica) when the client sets
    // none; 0: unlimited.
    int default_rate_limit = 0;
  };

  // `formats` checks presented access tokens (a JWT's signature and times)
  // before the ledger is asked.
  TokenService(Options options, ClientAuthenticator& authenticator, storage::TokenStore& tokens,
               TokenCache& cache, const TokenFormats& formats = TokenFormats::OpaqueOnly());

  // Registers a grant under its grant_type. Call before serving.
  void RegisterGrant(std::unique_ptr<GrantHandler> grant);

  // RFC 6749 §4/§6. invalid_client, unauthorized_client (grant not allowed),
  // unsupported_grant_type, invalid_request (missing or oversized fields),
  // plus whatever the grant answers.
  absl::StatusOr<TokenResponse> Token(const PresentedCredentials& credentials,
                                      const TokenRequest& request);

  // Token() without blocking, when that is possible (the client is cached and
  // the grant can answer asynchronously, as client_credentials does through
  // the group-commit writer). Returns false, without calling `done`, when the
  // caller must use Token() on an executor instead; else `done` runs once.
  bool TryTokenNonBlocking(const PresentedCredentials& credentials, const TokenRequest& request,
                           const TokenCallback& done);

  // RFC 7662. Another client's token is reported inactive unless the caller
  // holds the "introspect" permission. A JWT is active only when its
  // signature, typ, iss, exp and nbf hold and the ledger holds it unrevoked.
  absl::StatusOr<Introspection> Introspect(const PresentedCredentials& credentials,
                                           const std::string& token,
                                           const std::string& token_type_hint);

  // Introspect() from memory only, without blocking: nullopt when the client
  // or the token state is not cached, or a JWT names a kid not yet loaded.
  std::optional<absl::StatusOr<Introspection>> TryIntrospectCached(
      const PresentedCredentials& credentials, const std::string& token,
      const std::string& token_type_hint);

  // RFC 7009. An unknown token is success; another client's token is
  // unauthorized_client; a refresh token takes its whole family.
  absl::Status Revoke(const PresentedCredentials& credentials, const std::string& token,
                      const std::string& token_type_hint);

  // RFC 6750 resource access: what an access token presented as a Bearer
  // credential stands for. Checked as Introspect checks it (a JWT's
  // signature and times, then the ledger), without client authentication;
  // refresh tokens are never accepted. Inactive: `active` is false.
  absl::StatusOr<Introspection> CheckAccessToken(const std::string& token);

  // Counts every request's outcome there (optional; call before serving).
  void AttachMetrics(TokenMetrics* metrics) { metrics_ = metrics; }
  // Tells it of every request the rate limit refuses (optional; call before
  // serving).
  void AttachRateLimitReporter(RateLimitReporter* reporter) { rate_limit_reporter_ = reporter; }

  // Names of the registered grants (for discovery documents).
  std::vector<std::string> GrantTypes() const;

 private:
  absl::StatusOr<std::shared_ptr<const storage::TokenState>> LoadState(const std::string& digest);
  // The grant serving `request` for `client`, or the OAuth error saying why not.
  absl::StatusOr<GrantHandler*> SelectGrant(const AuthenticatedClient& client,
                                            const TokenRequest& request);
  absl::StatusOr<TokenResponse> IssueOrRefresh(const PresentedCredentials& credentials,
                                               const TokenRequest& request);
  bool TryTokenNonBlockingUnobserved(const PresentedCredentials& credentials,
                                     const TokenRequest& request, const TokenCallback& done);
  void ObserveToken(const std::string& grant_type, const absl::StatusOr<TokenResponse>& result);
  void Observe(TokenMetrics::Operation op, const absl::Status& status);
  // rate_limited once the client has used up its request rate.
  absl::Status Admit(const AuthenticatedClient& client);
  std::optional<absl::StatusOr<Introspection>> TryIntrospectCachedUnobserved(
      const PresentedCredentials& credentials, const std::string& token,
      const std::string& token_type_hint);
  absl::Status RevokeUnobserved(const PresentedCredentials& credentials, const std::string& token,
                                const std::string& token_type_hint);
  // What Introspect answers for a token state (null: unknown token).
  Introspection Describe(const AuthenticatedClient& client,
                         const storage::TokenState* state) const;
  // The same for any caller: null or dead states are inactive.
  Introspection DescribeLive(const storage::TokenState* state) const;

  Options options_;
  ClientAuthenticator& authenticator_;
  storage::TokenStore& tokens_;
  TokenCache& cache_;
  const TokenFormats& formats_;
  absl::flat_hash_map<std::string, std::unique_ptr<GrantHandler>> grants_;
  TokenMetrics* metrics_ = nullptr;
  RateLimiter limiter_;
  RateLimitReporter* rate_limit_reporter_ = nullptr;
};

}  // namespace tokend
