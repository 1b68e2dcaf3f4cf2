// What the OAuth core did, for /metrics: requests by operation, grant type
// and OAuth outcome (RFC 6749 §5.2 code, or "ok"), and the tokens issued,
// refreshed and revoked. Fixed label sets, so recording only indexes an
// array of atomic counters.
#pragma once

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "services/metrics/metrics.h"
#include "services/token/oauth_error.h"

namespace tokend {

class TokenMetrics {
 public:
  enum class Operation { kToken, kIntrospect, kRevoke };
  void Record(Operation op, absl::string_view grant_type, const absl::Status& outcome);
  void TokensIssued(int access, int refresh) {
    access_issued_.Add(access);
    refresh_issued_.Add(refresh);
  }
  void Refreshed() { refreshed_.Add(); }
  void Revoked() { revoked_.Add(); }
  void Collect(metrics::Exposition& out) const;

 private:
  static constexpr int kOperations = 3;
  static constexpr int kGrants = 6;    // the four grants, "none", "other"
  static constexpr int kOutcomes = 1 + oauth::kErrorCodeCount;  // "ok" and every code
  metrics::Counter requests_[kOperations][kGrants][kOutcomes];
  metrics::Counter access_issued_, refresh_issued_, refreshed_, revoked_;
};

}  // namespace tokend
