// A caching client_credentials token source, like Go's oauth2.TokenSource.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "token_client.h"

namespace tokend::client {

struct TokenSourceOptions {
  std::vector<std::string> scopes;  // empty: the client's default scopes
  double renew_at = 0.8;            // fraction of the life after which to renew
  std::chrono::milliseconds min_backoff{500};
  std::chrono::milliseconds max_backoff{30000};
  std::function<std::chrono::steady_clock::time_point()> now;  // default steady_clock::now
};

// One access token shared by every thread, renewed before it expires.
//  - GetToken() answers from the cache until renew_at (80 %) of the token's
//    life has passed; then the first caller fetches a new token while the
//    others keep the current one. Only one request is in flight at a time.
//  - An expired token is never handed out: a token counts as expired
//    min(10 s, 10 % of its life) early, measured from before it was requested;
//    without a valid token, callers wait for the one fetch in flight.
//  - After a failed fetch the source backs off (min_backoff doubling to
//    max_backoff, with jitter): meanwhile GetToken() answers the still-valid
//    token, or the last error at once without calling tokend.
class TokenSource {
 public:
  explicit TokenSource(std::shared_ptr<const Issuer> issuer, TokenSourceOptions options = {});

  // A valid token, or the error of the last failed fetch.
  Result<Token> GetToken();

 private:
  using Clock = std::chrono::steady_clock;
  Result<Token> Fetch();

  std::shared_ptr<const Issuer> issuer_;
  TokenSourceOptions options_;
  std::mutex mu_;
  std::condition_variable fetched_;
  std::optional<Token> token_;
  Clock::time_point renew_, expiry_, retry_;
  bool fetching_ = false;
  int failures_ = 0;
  OAuthError last_error_;
};

}  // namespace tokend::client
