// The access line: one per request, written by the one place in each
// transport that also records the request's metrics (the gRPC interceptor,
// the HTTP session's Send). Info level, message "access".
#pragma once

#include "absl/strings/string_view.h"

namespace tokend::logging {

struct AccessRecord {
  absl::string_view request_id;
  absl::string_view rpc;          // gRPC: "tokend.v1.TokenService/IssueToken"
  absl::string_view method;       // HTTP: "POST"
  absl::string_view path;         // HTTP: the path, never the query string
  absl::string_view client_id;    // presented or authenticated; "" when unknown
  absl::string_view outcome;      // "ok", the OAuth error code, or "error"
  int grpc_code = -1;             // gRPC: the status code (logged by name)
  int http_status = 0;            // HTTP
  double latency_ms = 0;
};

// {"level":"info",...,"msg":"access","request_id":...,"rpc"|"method","path",
//  "client_id"?,"outcome","grpc_status"|"status","latency_ms"}
void LogAccess(const AccessRecord& r);

// "ok" for a success, "error" for a failure without an OAuth code.
inline absl::string_view OutcomeOr(bool ok, absl::string_view oauth_error) {
  return ok ? "ok" : (oauth_error.empty() ? "error" : oauth_error);
}

}  // namespace tokend::logging
