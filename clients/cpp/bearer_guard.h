// Resource-server side: checks incoming bearer tokens and exposes who called.
#pragma once

#include <grpcpp/grpcpp.h>
#include <grpcpp/security/auth_metadata_processor.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "token_client.h"

namespace tokend::client {

// Who a verified bearer token speaks for.
struct Principal {
  std::string subject;  // the user id for password grants, else the client id
  std::string client_id;
  std::string username;
  std::vector<std::string> scopes;
  int64_t expires_at = 0;  // Unix seconds
  bool HasScope(const std::string& scope) const;
};

// Checks a bearer token.
class Verifier {
 public:
  virtual ~Verifier() = default;
  // The principal when the token is active, nullopt when it is not, the
  // OAuthError when it cannot tell now (tokend unreachable).
  virtual Result<std::optional<Principal>> Verify(const std::string& token) = 0;
};

// Verifies opaque tokens through tokend's Introspect with a short positive
// cache: only active answers are kept, for `ttl` at most (never past the
// token's exp), so a revoked token is refused within `ttl`. The client must
// hold the `introspect` permission. Thread-safe.
class IntrospectionVerifier : public Verifier {
 public:
  IntrospectionVerifier(std::shared_ptr<const TokenClient> client,
                        std::chrono::milliseconds ttl = std::chrono::seconds(5),
                        size_t max_entries = 10000);
  Result<std::optional<Principal>> Verify(const std::string& token) override;

 private:
  struct Entry {
    Principal principal;
    std::chrono::system_clock::time_point until;
  };
  std::shared_ptr<const TokenClient> client_;
  std::chrono::milliseconds ttl_;
  size_t max_entries_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> cache_;  // keyed by SHA-256 of the token
};

struct GuardOptions {
  // Full method name ("/echo.v1.EchoService/Echo") to the scopes its token
  // must all hold; other methods need default_scopes.
  std::map<std::string, std::vector<std::string>> required_scopes;
  std::vector<std::string> default_scopes;
};

// The gRPC server hook for bearer tokens, an AuthMetadataProcessor (gRPC C++
// server interceptors cannot reject a call):
//   auto creds = grpc::SslServerCredentials(...);  // or LocalServerCredentials
//   creds->SetAuthMetadataProcessor(std::make_shared<BearerGuard>(verifier, options));
// gRPC runs it on its own threads before the handler, never on a reactor. A
// missing, malformed or inactive token answers UNAUTHENTICATED, a missing
// scope PERMISSION_DENIED, a verifier that cannot tell UNAVAILABLE. The token
// is removed from the metadata the handler sees; the handler reads the caller
// with PrincipalFromContext. Like every gRPC auth processor it needs secure
// (TLS or local) server credentials.
class BearerGuard : public grpc::AuthMetadataProcessor {
 public:
  BearerGuard(std::shared_ptr<Verifier> verifier, GuardOptions options = {});

  // The principal for a call to `method` with these metadata, or the status to answer.
  grpc::Status Authorize(const std::string& method, const std::string& authorization,
                         Principal* principal) const;

  grpc::Status Process(const InputMetadata& auth_metadata, grpc::AuthContext* context,
                       OutputMetadata* consumed_auth_metadata,
                       OutputMetadata* response_metadata) override;

 private:
  std::shared_ptr<Verifier> verifier_;
  GuardOptions options_;
};

// The caller a BearerGuard admitted, read from the call's auth context.
std::optional<Principal> PrincipalFromContext(const grpc::ServerContextBase& ctx);

}  // namespace tokend::client
