// An OAuth request as it arrives over HTTP: an
// application/x-www-form-urlencoded body (RFC 6749 §3.2, Appendix B) plus the
// Authorization header, with client credentials resolved per §2.3.
#pragma once

#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/http/http_types.h"
#include "services/token/presented_credentials.h"

namespace tokend::http {

class FormRequest {
 public:
  // invalid_request for a missing or other Content-Type (parameters such as
  // charset are allowed), an empty body, malformed percent-encoding, or a
  // parameter sent more than once (§3.2).
  static absl::StatusOr<FormRequest> Parse(const Request& req);

  // The parameter's value; "" when absent.
  const std::string& Get(absl::string_view name) const;
  // The parameter's value; nullopt when absent or empty.
  std::optional<std::string> Find(absl::string_view name) const;

  // client_secret_basic or client_secret_post, never both (invalid_request),
  // with the TCP peer's address the session set (X-Forwarded-For is never
  // trusted for it).
  absl::StatusOr<PresentedAuth> Credentials() const;

 private:
  absl::flat_hash_map<std::string, std::string> fields_;
  std::string authorization_;
  std::string peer_address_;
};

}  // namespace tokend::http
