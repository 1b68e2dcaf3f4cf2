// The C++ client of tokend: channels, client/admin authentication metadata,
// and the OAuth error carried by a failed call. tokenctl is built on it.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

namespace tokend::client {

struct ChannelOptions {
  std::string address = "127.0.0.1:50051";
  bool tls = false;
  std::string ca_cert_file;  // PEM roots for TLS; empty = system roots
};

// A channel to tokend; TLS when options.tls.
std::shared_ptr<grpc::Channel> Connect(const ChannelOptions& options);

// Adds `authorization: Basic …` (RFC 6749 §2.3.1) to one call.
void AddClientAuth(grpc::ClientContext* ctx, const std::string& client_id,
                   const std::string& client_secret);

// Adds `x-request-id: <request_id>` to one call: tokend logs it on the call's
// access line and echoes it in the response's initial metadata. (An id
// longer than 128 characters or outside [A-Za-z0-9._:/+=@-] is replaced by a
// generated one.)
void AddRequestId(grpc::ClientContext* ctx, const std::string& request_id);

// The request id tokend sent back in a finished call's initial metadata; ""
// when there is none.
std::string ResponseRequestId(const grpc::ClientContext& ctx);

// Adds `authorization: Bearer <admin key>` for the AdminService.
void AddAdminKey(grpc::ClientContext* ctx, const std::string& admin_key);

// The OAuth error of a failed TokenService call.
struct OAuthError {
  grpc::StatusCode status = grpc::StatusCode::OK;
  std::string error;        // e.g. "invalid_grant"; empty if the server sent none
  std::string description;
  std::string request_id;   // the call's id in tokend's log, when known
};

// Decodes the tokend.v1.OAuthError inside the status details trailer.
OAuthError ErrorFromStatus(const grpc::Status& status);

// The gRPC status code name, e.g. "UNAUTHENTICATED".
std::string StatusCodeName(grpc::StatusCode code);

}  // namespace tokend::client
