#include "services/http/form_request.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "services/common/form_codec.h"
#include "services/token/oauth_error.h"

namespace tokend::http {
namespace {

bool IsFormContentType(absl::string_view value) {
  absl::string_view media = value.substr(0, value.find(';'));
  return absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(media),
                                "application/x-www-form-urlencoded");
}

}  // namespace

absl::StatusOr<FormRequest> FormRequest::Parse(const Request& req) {
  if (!IsFormContentType(ToAbsl(req[bhttp::field::content_type]))) {
    return oauth::InvalidRequest("Content-Type must be application/x-www-form-urlencoded.");
  }
  if (req.body().empty()) return oauth::InvalidRequest("The request body is empty.");
  auto fields = form::Parse(req.body());
  if (!fields.ok()) {
    return oauth::InvalidRequest("The request body has malformed percent-encoding.");
  }
  FormRequest out;
  for (auto& [name, value] : *fields) {
    if (!out.fields_.emplace(std::move(name), std::move(value)).second) {
      return oauth::InvalidRequest("A request parameter is repeated.");
    }
  }
  out.authorization_ = std::string(ToAbsl(req[bhttp::field::authorization]));
  out.peer_address_ = std::string(ToAbsl(req[kPeerAddressField]));
  return out;
}

const std::string& FormRequest::Get(absl::string_view name) const {
  static const std::string* const kEmpty = new std::string;
  auto it = fields_.find(name);
  return it == fields_.end() ? *kEmpty : it->second;
}

std::optional<std::string> FormRequest::Find(absl::string_view name) const {
  const std::string& value = Get(name);
  if (value.empty()) return std::nullopt;
  return value;
}

absl::StatusOr<PresentedAuth> FormRequest::Credentials() const {
  auto auth = ResolveCredentials(authorization_, Get("client_id"), Find("client_secret"));
  if (auth.ok()) auth->credentials.source_address = peer_address_;
  return auth;
}

}  // namespace tokend::http
