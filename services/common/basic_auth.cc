#include "services/common/basic_auth.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/form_codec.h"

namespace tokend::basic_auth {

bool IsBasic(absl::string_view v) {
  return v.size() >= 6 && absl::EqualsIgnoreCase(v.substr(0, 6), "basic ");
}

absl::StatusOr<Credentials> Parse(absl::string_view v) {
  if (!IsBasic(v)) return absl::InvalidArgumentError("not a Basic authorization");
  absl::string_view encoded = absl::StripAsciiWhitespace(v.substr(6));
  std::string decoded;
  if (encoded.empty() || !absl::Base64Unescape(encoded, &decoded)) {
    return absl::InvalidArgumentError("malformed base64 in Basic authorization");
  }
  size_t colon = decoded.find(':');
  if (colon == std::string::npos) {
    return absl::InvalidArgumentError("Basic authorization lacks ':'");
  }
  auto id = form::Decode(absl::string_view(decoded).substr(0, colon));
  auto secret = form::Decode(absl::string_view(decoded).substr(colon + 1));
  if (!id.ok() || !secret.ok()) {
    return absl::InvalidArgumentError("malformed percent-encoding in Basic authorization");
  }
  return Credentials{*std::move(id), *std::move(secret)};
}

std::string Format(absl::string_view client_id, absl::string_view client_secret) {
  return absl::StrCat("Basic ", absl::Base64Escape(absl::StrCat(form::Encode(client_id), ":",
                                                                form::Encode(client_secret))));
}

}  // namespace tokend::basic_auth
