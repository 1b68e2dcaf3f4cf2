#include "token_source.h"

#include <algorithm>
#include <random>

namespace tokend::client {
namespace {

double Jitter() {
  thread_local std::mt19937 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.75, 1.0)(rng);
}

}  // namespace

TokenSource::TokenSource(std::shared_ptr<const Issuer> issuer, TokenSourceOptions options)
    : issuer_(std::move(issuer)), options_(std::move(options)) {
  if (!options_.now) options_.now = [] { return Clock::now(); };
}

Result<Token> TokenSource::GetToken() {
  {
    std::unique_lock lock(mu_);
    while (true) {
      auto now = options_.now();
      bool valid = token_.has_value() && now < expiry_;
      if (valid && (now < renew_ || fetching_ || now < retry_)) return *token_;
      if (fetching_) {
        fetched_.wait(lock);
        continue;
      }
      if (now < retry_) return last_error_;
      fetching_ = true;
      break;
    }
  }
  return Fetch();
}

Result<Token> TokenSource::Fetch() {
  auto start = options_.now();
  IssueOptions request;
  request.scopes = options_.scopes;
  Result<Token> got = issuer_->Issue(request);
  std::lock_guard lock(mu_);
  fetching_ = false;
  fetched_.notify_all();
  auto now = options_.now();
  if (!got.ok()) {
    ++failures_;
    std::chrono::milliseconds backoff = options_.min_backoff * (1 << std::min(failures_ - 1, 20));
    backoff = std::min(backoff, options_.max_backoff);
    retry_ = now + std::chrono::duration_cast<Clock::duration>(backoff * Jitter());
    last_error_ = got.error();
    if (token_.has_value() && now < expiry_) return *token_;
    return got;
  }
  std::chrono::duration<double> life(static_cast<double>(got->expires_in));
  auto margin = std::min<std::chrono::duration<double>>(std::chrono::seconds(10), life * 0.1);
  token_ = got.value();
  renew_ = start + std::chrono::duration_cast<Clock::duration>(life * options_.renew_at);
  expiry_ = start + std::chrono::duration_cast<Clock::duration>(life - margin);
  failures_ = 0;
  retry_ = Clock::time_point();
  return got;
}

}  // namespace tokend::client
