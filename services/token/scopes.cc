#include "services/token/scopes.h"

#include <algorithm>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "services/token/oauth_error.h"

namespace tokend::scopes {
namespace {

bool Contains(const std::vector<std::string>& v, absl::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

absl::StatusOr<std::vector<std::string>> CheckedSubset(const std::vector<std::string>& requested,
                                                       const std::vector<std::string>& pool,
                                                       absl::string_view beyond_message) {
  std::vector<std::string> out;
  for (const auto& s : requested) {
    if (!IsValidToken(s)) return oauth::InvalidScope("A requested scope is malformed.");
    if (!Contains(pool, s)) return oauth::InvalidScope(beyond_message);
    if (!Contains(out, s)) out.push_back(s);
  }
  return out;
}

}  // namespace

std::vector<std::string> Split(absl::string_view scope) {
  return absl::StrSplit(scope, ' ', absl::SkipEmpty());
}

std::string Join(const std::vector<std::string>& scopes) { return absl::StrJoin(scopes, " "); }

bool IsValidToken(absl::string_view token) {
  if (token.empty()) return false;
  for (unsigned char c : token) {
    bool ok = c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
    if (!ok) return false;
  }
  return true;
}

absl::StatusOr<std::vector<std::string>> Resolve(
    const std::optional<std::vector<std::string>>& requested,
    const std::vector<std::string>& allowed, const std::vector<std::string>& defaults) {
  if (!requested.has_value() || requested->empty()) return defaults;
  return CheckedSubset(*requested, allowed, "A requested scope is not allowed for this client.");
}

std::vector<std::string> UserDefaults(const std::vector<std::string>& client_defaults) {
  if (!client_defaults.empty()) return client_defaults;
  return {kUserDefaultScope};
}

absl::StatusOr<std::vector<std::string>> Narrow(
    const std::optional<std::vector<std::string>>& requested,
    const std::vector<std::string>& granted) {
  if (!requested.has_value() || requested->empty()) return granted;
  return CheckedSubset(*requested, granted,
                       "A refresh may narrow the original scope but never widen it.");
}

}  // namespace tokend::scopes
