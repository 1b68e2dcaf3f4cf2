#include "services/grpc/metrics_interceptor.h"

#include <google/protobuf/message.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "services/grpc/status_conversion.h"
#include "services/grpc/token_convert.h"
#include "services/logging/access_log.h"
#include "services/logging/request_id.h"
#include "tokend/v1/token.pb.h"

namespace tokend::grpc_adapter {
namespace {

using Hook = grpc::experimental::InterceptionHookPoints;
using Batch = grpc::experimental::InterceptorBatchMethods;

absl::string_view Find(const std::multimap<grpc::string_ref, grpc::string_ref>& md,
                       absl::string_view key) {
  auto it = md.find(grpc::string_ref(key.data(), key.size()));
  if (it == md.end()) return {};
  return {it->second.data(), it->second.size()};
}

class ObservingInterceptor final : public grpc::experimental::Interceptor {
 public:
  ObservingInterceptor(MethodStats* stats, const char* method)
      : stats_(stats), started_(std::chrono::steady_clock::now()) {
    absl::string_view name = stats->method != "other" ? absl::string_view(stats->method)
                             : method != nullptr       ? absl::string_view(method)
                                                       : absl::string_view();
    absl::ConsumePrefix(&name, "/");
    rpc_.assign(name.data(), std::min<size_t>(name.size(), 200));
  }

  // The access line, written when gRPC destroys the interceptor at the end
  // of the call rather than in Finish: Finish may run on the group-commit
  // writer, where every microsecond delays the next batch's commit.
  ~ObservingInterceptor() override {
    if (!finished_) return;
    logging::LogAccess({.request_id = RequestId(),
                        .rpc = rpc_,
                        .client_id = client_id_,
                        .outcome = logging::OutcomeOr(code_ == 0, oauth_error_),
                        .grpc_code = code_,
                        .latency_ms = latency_ms_});
  }

  void Intercept(Batch* methods) override {
    if (methods->QueryInterceptionHookPoint(Hook::POST_RECV_INITIAL_METADATA)) {
      const auto* md = methods->GetRecvInitialMetadata();
      if (md != nullptr) {
        request_id_ = logging::RequestIdOr(Find(*md, kRequestIdKey));
        authorization_ = Find(*md, "authorization");
      }
    }
    if (methods->QueryInterceptionHookPoint(Hook::POST_RECV_MESSAGE)) ReadClientId(methods);
    if (methods->QueryInterceptionHookPoint(Hook::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->emplace(kRequestIdKey, RequestId());
    }
    if (methods->QueryInterceptionHookPoint(Hook::PRE_SEND_STATUS)) Finish(methods->GetSendStatus());
    methods->Proceed();
  }

 private:
  const std::string& RequestId() {
    if (request_id_.empty()) request_id_ = logging::NewRequestId();
    return request_id_;
  }

  // The client the request presents (Basic metadata or its credentials
  // field), as the handler resolves it; never the secret.
  void ReadClientId(Batch* methods) {
    const google::protobuf::FieldDescriptor* field = stats_->credentials;
    void* message = methods->GetRecvMessage();
    if (field == nullptr || message == nullptr) return;
    // Only methods of the registered protobuf services have `credentials`
    // set, so the message is their generated request type.
    const auto* request = static_cast<const google::protobuf::Message*>(message);
    const auto* reflection = request->GetReflection();
    bool has = reflection->HasField(*request, field);
    const auto& fields =
        static_cast<const v1::ClientCredentials&>(reflection->GetMessage(*request, field));
    auto presented = CredentialsOf(authorization_, fields, has);
    if (presented.ok()) client_id_ = presented->client_id;
  }

  // Counts the call and keeps what its access line needs.
  void Finish(const grpc::Status& status) {
    int code = status.error_code();
    if (code < 0 || code >= 17) code = 2;  // UNKNOWN
    stats_->by_code[code].Add();
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    stats_->latency.Observe(seconds);
    finished_ = true;
    code_ = code;
    latency_ms_ = seconds * 1000;
    if (!status.ok()) oauth_error_ = OAuthErrorOf(status);
  }

  MethodStats* stats_;
  std::chrono::steady_clock::time_point started_;
  std::string rpc_;  // "tokend.v1.TokenService/IssueToken"
  std::string request_id_;
  absl::string_view authorization_;  // in the call's received metadata
  std::string client_id_;
  bool finished_ = false;  // PRE_SEND_STATUS seen
  int code_ = 0;
  std::string oauth_error_;
  double latency_ms_ = 0;
};

class Factory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit Factory(GrpcMetrics& metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new ObservingInterceptor(metrics_.For(info->method()), info->method());
  }

 private:
  GrpcMetrics& metrics_;
};

}  // namespace

void GrpcMetrics::AddServices(const std::vector<std::string>& full_service_names) {
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  const auto* credentials_type = v1::ClientCredentials::descriptor();
  for (const auto& name : full_service_names) {
    const auto* service = pool->FindServiceByName(name);
    if (service == nullptr) continue;
    for (int i = 0; i < service->method_count(); ++i) {
      std::string method = absl::StrCat("/", name, "/", service->method(i)->name());
      MethodStats& s = stats_.emplace_back();
      s.method = method;
      const auto* field = service->method(i)->input_type()->FindFieldByName("credentials");
      if (field != nullptr && field->message_type() == credentials_type) s.credentials = field;
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
