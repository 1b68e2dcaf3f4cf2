#include "services/grpc/metrics_interceptor.h"

#include <google/protobuf/descriptor.h>

#include <chrono>

#include "absl/strings/str_cat.h"

namespace tokend::grpc_adapter {
namespace {

class MetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit MetricsInterceptor(MethodStats* stats)
      : stats_(stats), started_(std::chrono::steady_clock::now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using Hook = grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(Hook::PRE_SEND_STATUS)) {
      int code = methods->GetSendStatus().error_code();
      stats_->by_code[code >= 0 && code < 17 ? code : 2].Add();  // 2: UNKNOWN
      stats_->latency.Observe(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count());
    }
    methods->Proceed();
  }

 private:
  MethodStats* stats_;
  std::chrono::steady_clock::time_point started_;
};

class Factory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit Factory(GrpcMetrics& metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new MetricsInterceptor(metrics_.For(info->method()));
  }

 private:
  GrpcMetrics& metrics_;
};

}  // namespace

void GrpcMetrics::AddServices(const std::vector<std::string>& full_service_names) {
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const auto& name : full_service_names) {
    const auto* service = pool->FindServiceByName(name);
    if (service == nullptr) continue;
    for (int i = 0; i < service->method_count(); ++i) {
      std::string method = absl::StrCat("/", name, "/", service->method(i)->name());
      MethodStats& s = stats_.emplace_back();
      s.method = method;
      by_method_[method] = &s;
    }
  }
}

MethodStats* GrpcMetrics::For(const char* method) {
  auto it = by_method_.find(absl::string_view(method == nullptr ? "" : method));
  return it == by_method_.end() ? &other_ : it->second;
}

void GrpcMetrics::Collect(metrics::Exposition& out) const {
  auto each = [&](const std::function<void(const MethodStats&)>& f) {
    for (const auto& s : stats_) f(s);
    f(other_);
  };
  out.Family("tokend_grpc_requests_total", "counter", "gRPC calls by method and status code.");
  each([&](const MethodStats& s) {
    for (size_t code = 0; code < s.by_code.size(); ++code) {
      if (uint64_t n = s.by_code[code].Value()) {
        out.Sample("tokend_grpc_requests_total", {{"method", s.method}, {"code", std::to_string(code)}}, n);
      }
    }
  });
  out.Family("tokend_grpc_request_duration_seconds", "histogram", "gRPC call latency in the server.");
  each([&](const MethodStats& s) {
    if (s.latency.Read().count > 0) {
      out.HistogramSamples("tokend_grpc_request_duration_seconds", {{"method", s.method}}, s.latency);
    }
  });
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> GrpcMetrics::Factory() {
  return std::make_unique<grpc_adapter::Factory>(*this);
}

}  // namespace tokend::grpc_adapter
