#include "services/logging/access_log.h"

#include "absl/status/status.h"
#include "services/logging/log.h"

namespace tokend::logging {

void LogAccess(const AccessRecord& r) {
  if (!Enabled(Level::kInfo)) return;
  Line line(Level::kInfo, "access");
  line.Str("request_id", r.request_id);
  if (!r.rpc.empty()) {
    line.Str("rpc", r.rpc);
  } else {
    line.Str("method", r.method).Str("path", r.path);
  }
  if (!r.client_id.empty()) line.Str("client_id", r.client_id);
  line.Str("outcome", r.outcome);
  if (r.grpc_code >= 0) {
    // absl::StatusCode is numerically grpc::StatusCode.
    line.Str("grpc_status", absl::StatusCodeToString(static_cast<absl::StatusCode>(r.grpc_code)));
  } else {
    line.Int("status", r.http_status);
  }
  line.Double("latency_ms", r.latency_ms);
}

}  // namespace tokend::logging
