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

// Adds `authorization: Bearer <admin key>` for the AdminService.
void AddAdminKey(grpc::ClientContext* ctx, const std::string& admin_key);

// The OAuth error of a failed TokenService call.
struct OAuthError {
  grpc::StatusCode status = grpc::StatusCode::OK;
  std::string error;        // e.g. "invalid_grant"; empty if the server sent none
  std::string description;
};

// Decodes the tokend.v1.OAuthError inside the status details trailer.
OAuthError ErrorFromStatus(const grpc::Status& status);

// The gRPC status code name, e.g. "UNAUTHENTICATED".
std::string StatusCodeName(grpc::StatusCode code);

}  // namespace tokend::client
