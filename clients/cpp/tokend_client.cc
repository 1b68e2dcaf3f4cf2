#include "tokend_client.h"

#include <fstream>
#include <sstream>

#include "services/common/basic_auth.h"
#include "absl/strings/str_cat.h"
#include "tokend/v1/errors.pb.h"

namespace tokend::client {
std::shared_ptr<grpc::Channel> Connect(const ChannelOptions& options) {
  if (!options.tls) return grpc::CreateChannel(options.address, grpc::InsecureChannelCredentials());
  grpc::SslCredentialsOptions ssl;
  if (!options.ca_cert_file.empty()) {
    std::ifstream in(options.ca_cert_file);
    std::stringstream ss;
    ss << in.rdbuf();
    ssl.pem_root_certs = ss.str();
  }
  return grpc::CreateChannel(options.address, grpc::SslCredentials(ssl));
}

void AddClientAuth(grpc::ClientContext* ctx, const std::string& client_id,
                   const std::string& client_secret) {
  ctx->AddMetadata("authorization", basic_auth::Format(client_id, client_secret));
}

void AddRequestId(grpc::ClientContext* ctx, const std::string& request_id) {
  ctx->AddMetadata("x-request-id", request_id);
}

std::string ResponseRequestId(const grpc::ClientContext& ctx) {
  const auto& md = ctx.GetServerInitialMetadata();
  auto it = md.find("x-request-id");
  return it == md.end() ? "" : std::string(it->second.data(), it->second.size());
}

void AddAdminKey(grpc::ClientContext* ctx, const std::string& admin_key) {
  ctx->AddMetadata("authorization", absl::StrCat("Bearer ", admin_key));
}

OAuthError ErrorFromStatus(const grpc::Status& status) {
  OAuthError out;
  out.status = status.error_code();
  out.description = status.error_message();
  v1::RpcStatus details;
  if (!status.error_details().empty() && details.ParseFromString(status.error_details())) {
    for (const auto& any : details.details()) {
      v1::OAuthError e;
      if (any.UnpackTo(&e)) {
        out.error = e.error();
        out.description = e.error_description();
      }
    }
  }
  return out;
}

std::string StatusCodeName(grpc::StatusCode code) {
  static const char* kNames[] = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT",
                                 "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
                                 "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
                                 "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL",
                                 "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};
  int i = static_cast<int>(code);
  return i >= 0 && i <= 16 ? kNames[i] : absl::StrCat("CODE_", i);
}

}  // namespace tokend::client
