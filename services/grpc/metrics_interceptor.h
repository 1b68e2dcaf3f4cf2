// Counts every gRPC call by method and status code, with its latency, for
// /metrics: a server interceptor, so no handler has to remember to.
#pragma once

#include <grpcpp/support/server_interceptor.h>

#include <array>
#include <deque>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "services/metrics/metrics.h"

namespace tokend::grpc_adapter {

// One method's figures.
struct MethodStats {
  std::string method;                          // "/tokend.v1.TokenService/IssueToken"
  std::array<metrics::Counter, 17> by_code;    // grpc::StatusCode 0..16
  metrics::Histogram latency{metrics::LatencyBuckets()};
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
