// absl::Status (with its OAuth code) → grpc::Status carrying the code in the
// `grpc-status-details-bin` trailer as an RpcStatus (wire-identical to
// google.rpc.Status) holding a tokend.v1.OAuthError.
#pragma once

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"

namespace tokend::grpc_adapter {

grpc::Status ToGrpcStatus(const absl::Status& status);

// The OAuth error code ToGrpcStatus put in `status`'s details; "" when it
// carries none (success, admin RPCs, failures outside tokend's handlers).
std::string OAuthErrorOf(const grpc::Status& status);

// For admin RPCs: plain status conversion (no OAuth detail, except for an
// invalid_request built by oauth::Error), internal messages replaced by a
// fixed sentence.
grpc::Status ToAdminStatus(const absl::Status& status);

}  // namespace tokend::grpc_adapter
