#include "services/http/bearer_auth.h"

#include "absl/strings/str_cat.h"
#include "services/common/bearer_token.h"
#include "services/http/json_response.h"
#include "services/identity/identity_errors.h"
#include "services/token/oauth_error.h"

namespace tokend::http {
namespace {

constexpr absl::string_view kRealm = "tokend";

// A quoted-string value: our descriptions and scopes hold no '"' or '\\', but
// drop them anyway rather than break the header.
std::string Quoted(absl::string_view v) {
  std::string out = "\"";
  for (char c : v) {
    if (c != '"' && c != '\\') out.push_back(c);
  }
  out.push_back('"');
  return out;
}

bool NeedsChallenge(oauth::ErrorCode code) {
  return code == oauth::ErrorCode::kInvalidToken || code == oauth::ErrorCode::kInsufficientScope ||
         code == oauth::ErrorCode::kInvalidRequest;
}

}  // namespace

std::string BearerChallenge(const absl::Status& status) {
  std::string out = absl::StrCat("Bearer realm=", Quoted(kRealm));
  if (status.ok()) return out;
  const oauth::ErrorMapping& row = oauth::MappingFor(oauth::CodeOf(status));
  absl::StrAppend(&out, ", error=", Quoted(row.name),
                  ", error_description=", Quoted(oauth::PublicDescription(status)));
  if (auto scope = identity::RequiredScopeOf(status)) absl::StrAppend(&out, ", scope=", Quoted(*scope));
  return out;
}

Response BearerErrorResponse(const absl::Status& status) {
  Response res = OAuthErrorResponse(status);
  if (NeedsChallenge(oauth::CodeOf(status))) {
    res.set(bhttp::field::www_authenticate, BearerChallenge(status));
  }
  return res;
}

std::optional<identity::BearerPrincipal> AuthenticateBearer(
    const Request& req, const identity::BearerVerifier& verifier, Response* refusal) {
  bearer::Presented presented = bearer::Parse(ToAbsl(req[bhttp::field::authorization]));
  switch (presented.presence) {
    case bearer::Presence::kNone:
      *refusal = Response{bhttp::status::unauthorized, 11};
      refusal->set(bhttp::field::www_authenticate, BearerChallenge(absl::OkStatus()));
      SetNoStore(*refusal);
      return std::nullopt;
    case bearer::Presence::kMalformed:
      *refusal = BearerErrorResponse(
          oauth::InvalidRequest("The Authorization header holds a malformed Bearer token."));
      return std::nullopt;
    case bearer::Presence::kToken:
      break;
  }
  auto principal = verifier.Verify(presented.token);
  if (!principal.ok()) {
    *refusal = BearerErrorResponse(principal.status());
    return std::nullopt;
  }
  return *std::move(principal);
}

}  // namespace tokend::http
