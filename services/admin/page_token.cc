#include "services/admin/page_token.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "services/common/secrets.h"
#include "services/token/oauth_error.h"

namespace tokend::paging {

absl::Status InvalidPageToken() {
  return oauth::InvalidRequest(
      "page_token: not a token of this listing; pass next_page_token unchanged, with the same "
      "filters.");
}

absl::StatusOr<int> PageSize(int32_t requested) {
  if (requested < 0) return oauth::InvalidRequest("page_size: must not be negative.");
  if (requested == 0) return kDefaultPageSize;
  return std::min<int>(requested, kMaxPageSize);
}

std::string Fingerprint(const std::vector<std::string>& filters) {
  std::string canonical;
  for (const auto& f : filters) absl::StrAppend(&canonical, f.size(), ":", f, ";");
  return secrets::Hex(secrets::Sha256(canonical).substr(0, 8));
}

std::string Encode(absl::string_view listing, absl::string_view fingerprint,
                   const std::vector<std::string>& key) {
  return absl::WebSafeBase64Escape(
      absl::StrCat(listing, "|", fingerprint, "|", absl::StrJoin(key, "|")));
}

absl::StatusOr<std::vector<std::string>> Decode(absl::string_view token,
                                                absl::string_view listing,
                                                absl::string_view fingerprint, size_t parts) {
  std::string raw;
  if (token.size() > 512 || !absl::WebSafeBase64Unescape(token, &raw)) return InvalidPageToken();
  std::vector<std::string> fields = absl::StrSplit(raw, '|');
  if (fields.size() != parts + 2 || fields[0] != listing || fields[1] != fingerprint) {
    return InvalidPageToken();
  }
  return std::vector<std::string>(fields.begin() + 2, fields.end());
}

}  // namespace tokend::paging
