#include "services/grpc/status_conversion.h"

#include "services/token/oauth_error.h"
#include "tokend/v1/errors.pb.h"

namespace tokend::grpc_adapter {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  oauth::ErrorCode code = oauth::CodeOf(status);
  const oauth::ErrorMapping& row = oauth::MappingFor(code);
  std::string description(oauth::PublicDescription(status));
  // A status built without an OAuth code (an unexpected failure) takes the
  // table's gRPC code; one built by oauth::Error keeps its own (which may be
  // an override such as UNIMPLEMENTED).
  auto grpc_code = static_cast<grpc::StatusCode>(
      code == oauth::ErrorCode::kServerError || code == oauth::ErrorCode::kTemporarilyUnavailable
          ? static_cast<int>(row.status)
          : static_cast<int>(status.code()));
  v1::OAuthError error;
  error.set_error(std::string(row.name));
  error.set_error_description(description);
  v1::RpcStatus details;
  details.set_code(static_cast<int>(grpc_code));
  details.set_message(description);
  details.add_details()->PackFrom(error);
  return grpc::Status(grpc_code, description, details.SerializeAsString());
}

std::string OAuthErrorOf(const grpc::Status& status) {
  if (status.ok() || status.error_details().empty()) return "";
  v1::RpcStatus details;
  if (!details.ParseFromString(status.error_details())) return "";
  for (const auto& any : details.details()) {
    v1::OAuthError error;
    if (any.UnpackTo(&error)) return error.error();
  }
  return "";
}

grpc::Status ToAdminStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  // A request the core rejected as invalid_request keeps that code in the
  // details, as on the token API.
  if (status.code() == absl::StatusCode::kInvalidArgument &&
      oauth::CodeOf(status) == oauth::ErrorCode::kInvalidRequest) {
    return ToGrpcStatus(status);
  }
  auto code = static_cast<grpc::StatusCode>(static_cast<int>(status.code()));
  switch (status.code()) {
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnknown:
      return grpc::Status(code, "internal error");
    case absl::StatusCode::kUnavailable:
      return grpc::Status(code, std::string(oauth::PublicDescription(status)));
    default:
      return grpc::Status(code, std::string(status.message()));
  }
}

}  // namespace tokend::grpc_adapter
