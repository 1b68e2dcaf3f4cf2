#include "services/common/bearer_token.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace tokend::bearer {
namespace {

bool IsB64Token(absl::string_view v) {
  if (v.empty()) return false;
  size_t i = 0;
  for (; i < v.size(); ++i) {
    char c = v[i];
    bool ok = absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ||
              c == '_' || c == '~' || c == '+' || c == '/';
    if (!ok) break;
  }
  if (i == 0) return false;
  for (; i < v.size(); ++i) {
    if (v[i] != '=') return false;
  }
  return true;
}

}  // namespace

Presented Parse(absl::string_view authorization) {
  absl::string_view v = absl::StripAsciiWhitespace(authorization);
  constexpr absl::string_view kScheme = "bearer";
  if (v.size() < kScheme.size() || !absl::EqualsIgnoreCase(v.substr(0, kScheme.size()), kScheme)) {
    return {};
  }
  absl::string_view rest = v.substr(kScheme.size());
  if (!rest.empty() && rest[0] != ' ') return {};  // another scheme, e.g. "BearerX"
  rest = absl::StripLeadingAsciiWhitespace(rest);
  if (!IsB64Token(rest)) return {Presence::kMalformed, ""};
  return {Presence::kToken, std::string(rest)};
}

}  // namespace tokend::bearer
