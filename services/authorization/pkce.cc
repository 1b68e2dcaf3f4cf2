#include "services/authorization/pkce.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "services/common/secrets.h"

namespace tokend::pkce {

bool WellFormed(absl::string_view value) {
  if (value.size() < 43 || value.size() > 128) return false;
  for (char c : value) {
    bool unreserved = absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ||
                      c == '_' || c == '~';
    if (!unreserved) return false;
  }
  return true;
}

bool Matches(absl::string_view method, absl::string_view challenge, absl::string_view verifier) {
  if (!WellFormed(verifier)) return false;
  if (method == kS256) {
    return secrets::ConstantTimeEquals(absl::WebSafeBase64Escape(secrets::Sha256(verifier)),
                                       challenge);
  }
  return method == kPlain && secrets::ConstantTimeEquals(verifier, challenge);
}

}  // namespace tokend::pkce
