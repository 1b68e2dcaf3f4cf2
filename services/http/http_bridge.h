// The HTTP bridge: an HTTP/1.1 (optionally TLS) listener inside tokend that
// serves the OAuth endpoints (token, introspection, revocation), discovery
// metadata and health checks by translating into calls on the in-process
// core. Blocking work runs on the shared BoundedExecutor, never on an I/O
// thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "services/common/bounded_executor.h"
#include "services/http/router.h"
#include "services/token/token_service.h"

namespace tokend::http {

struct HttpBridgeOptions {
  std::string address = "127.0.0.1:8080";  // host:port, [v6]:port; port 0 picks one
  std::string issuer;                      // discovery `issuer` and endpoint base URL
  std::string tls_cert_file;               // PEM chain; with tls_key_file enables TLS
  std::string tls_key_file;
  std::vector<std::string> scopes_supported;  // discovery; empty: omitted
  std::function<bool()> readiness;            // /readyz; blocking (runs on the executor)
  // The JWKS document served at /.well-known/jwks.json (and named jwks_uri
  // in discovery); from memory, non-blocking. Unset: no JWKS route.
  std::function<std::shared_ptr<const std::string>()> jwks;
  // Further endpoints (authorization pages, identity API), each installed
  // into the router beside the OAuth ones.
  std::vector<std::function<void(Router&)>> routes;
  // Serves GET /metrics from this registry and adds the bridge's own request
  // counts to it. Unset: no /metrics route.
  metrics::Registry* metrics = nullptr;
  int io_threads = 2;
  size_t max_connections = 4096;  // above it new connections are closed at once
  std::chrono::milliseconds read_timeout{10000};
  size_t max_header_bytes = 8 * 1024;
  size_t max_body_bytes = 16 * 1024;
};

class HttpBridge {
 public:
  HttpBridge(HttpBridgeOptions options, TokenService& core, BoundedExecutor& executor);
  ~HttpBridge();  // Stop() with no drain time
  HttpBridge(const HttpBridge&) = delete;
  HttpBridge& operator=(const HttpBridge&) = delete;

  // Binds and starts serving. UNAVAILABLE naming the address when it cannot
  // listen; FAILED_PRECONDITION when the TLS files cannot be loaded.
  absl::Status Start();

  // Stops accepting, lets requests in flight finish until `drain_deadline`,
  // then closes every connection. Returns once no executor task of the
  // bridge remains (call it before shutting the executor down).
  void Stop(std::chrono::system_clock::time_point drain_deadline);

  // The bound port (after Start).
  uint16_t port() const;

 private:
  struct Runtime;
  HttpBridgeOptions options_;
  TokenService& core_;
  BoundedExecutor& executor_;
  std::unique_ptr<Runtime> rt_;
  bool stopped_ = false;
};

}  // namespace tokend::http
