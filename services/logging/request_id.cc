#include "services/logging/request_id.h"

#include "services/common/secrets.h"

namespace tokend::logging {

bool IsValidRequestId(absl::string_view id) {
  if (id.empty() || id.size() > kMaxRequestIdLength) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '/' || c == '+' || c == '=' || c == '@' ||
              c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string NewRequestId() { return secrets::Hex(secrets::RandomBytes(16)); }

std::string RequestIdOr(absl::string_view presented) {
  return IsValidRequestId(presented) ? std::string(presented) : NewRequestId();
}

}  // namespace tokend::logging
