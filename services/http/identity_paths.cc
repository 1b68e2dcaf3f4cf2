#include "services/http/identity_paths.h"

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "services/common/form_codec.h"

namespace tokend::http {

std::optional<std::vector<std::string>> PathParams(absl::string_view target,
                                                   absl::string_view prefix, size_t count) {
  absl::string_view path = target.substr(0, target.find('?'));
  if (!absl::ConsumePrefix(&path, prefix)) return std::nullopt;
  std::vector<absl::string_view> raw = absl::StrSplit(path, '/');
  if (raw.size() != count) return std::nullopt;
  std::vector<std::string> out;
  for (absl::string_view segment : raw) {
    auto decoded = form::DecodePathSegment(segment);
    if (!decoded.ok() || decoded->empty()) return std::nullopt;
    out.push_back(*std::move(decoded));
  }
  return out;
}

}  // namespace tokend::http
