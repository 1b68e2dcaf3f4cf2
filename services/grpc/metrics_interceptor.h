// Observes every gRPC call in one place, so no handler has to remember to:
// counts it by method and status code with its latency (for /metrics), takes
// the caller's x-request-id metadata (or makes one) and sends it back in the
// initial metadata, and writes the call's access line.
#pragma once

#include <google/protobuf/descriptor.h>
#include <grpcpp/support/server_interceptor.h>

#include <array>
#include <deque>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "services/metrics/metrics.h"

namespace tokend::grpc_adapter {

// The request id metadata key (lower case, as gRPC metadata keys are).
inline constexpr char kRequestIdKey[] = "x-request-id";

// One method's figures.
struct MethodStats {
  std::string method;                          // "/tokend.v1.TokenService/IssueToken"
  std::array<metrics::Counter, 17> by_code;    // grpc::StatusCode 0..16
  metrics::Histogram latency{metrics::LatencyBuckets()};
  // The request's tokend.v1.ClientCredentials field, if it has one (the
  // access line names the presented client).
  const google::protobuf::FieldDescriptor* credentials = nullptr;
};

// The methods are registered before serving; lookups then never lock.
class GrpcMetrics {
 public:
  GrpcMetrics() { other_.method = "other"; }
  // Adds every method of the named services (from the generated pool).
  void AddServices(const std::vector<std::string>& full_service_names);
  MethodStats* For(const char* method);  // "other" for anything unknown
  void Collect(metrics::Exposition& out) const;
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> Factory();

 private:
  std::deque<MethodStats> stats_;
  absl::flat_hash_map<std::string, MethodStats*> by_method_;
  MethodStats other_;  // method "other"
};

}  // namespace tokend::grpc_adapter
