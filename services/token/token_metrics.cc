#include "services/token/token_metrics.h"

#include <array>

#include "services/token/oauth_error.h"

namespace tokend {
namespace {

constexpr std::array<absl::string_view, 3> kOperationNames = {"token", "introspect", "revoke"};
constexpr std::array<absl::string_view, 6> kGrantNames = {
    "client_credentials", "password", "refresh_token", "authorization_code", "none", "other"};

int GrantIndex(absl::string_view grant) {
  if (grant.empty()) return 4;
  for (int i = 0; i < 4; ++i) {
    if (kGrantNames[i] == grant) return i;
  }
  return 5;
}

// 0 is "ok"; then the ErrorCode values in order.
int OutcomeIndex(const absl::Status& status) {
  return status.ok() ? 0 : 1 + static_cast<int>(oauth::CodeOf(status));
}

absl::string_view OutcomeName(int index) {
  return index == 0 ? absl::string_view("ok")
                    : oauth::MappingFor(static_cast<oauth::ErrorCode>(index - 1)).name;
}

}  // namespace

void TokenMetrics::Record(Operation op, absl::string_view grant_type, const absl::Status& outcome) {
  int g = op == Operation::kToken ? GrantIndex(grant_type) : 4;
  requests_[static_cast<int>(op)][g][OutcomeIndex(outcome)].Add();
}

void TokenMetrics::Collect(metrics::Exposition& out) const {
  out.Family("tokend_oauth_requests_total", "counter",
             "OAuth requests by operation, grant type and outcome (ok or the RFC 6749 error code).");
  for (int op = 0; op < kOperations; ++op) {
    for (int g = 0; g < kGrants; ++g) {
      for (int o = 0; o < kOutcomes; ++o) {
        uint64_t n = requests_[op][g][o].Value();
        if (n == 0) continue;
        out.Sample("tokend_oauth_requests_total",
                   {{"operation", std::string(kOperationNames[op])},
                    {"grant_type", std::string(kGrantNames[g])},
                    {"outcome", std::string(OutcomeName(o))}},
                   n);
      }
    }
  }
  out.Family("tokend_tokens_issued_total", "counter", "Tokens issued, by kind.");
  out.Sample("tokend_tokens_issued_total", {{"kind", "access"}}, access_issued_.Value());
  out.Sample("tokend_tokens_issued_total", {{"kind", "refresh"}}, refresh_issued_.Value());
  out.Family("tokend_tokens_refreshed_total", "counter", "Refresh tokens exchanged.");
  out.Sample("tokend_tokens_refreshed_total", {}, refreshed_.Value());
  out.Family("tokend_tokens_revoked_total", "counter", "Successful revocation requests.");
  out.Sample("tokend_tokens_revoked_total", {}, revoked_.Value());
}

}  // namespace tokend
