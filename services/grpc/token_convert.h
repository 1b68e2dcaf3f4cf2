// tokend.v1 token requests -> the core's request types: the checks the gRPC
// adapter makes before the core sees a call. Free of the gRPC server API so
// they can be exercised alone (tests/fuzz).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/token/token_types.h"
#include "tokend/v1/token.pb.h"

namespace tokend::grpc_adapter {

// The credentials a call presents: `authorization` is the metadata value
// ("" when absent), `fields` the request's credentials message (`has_fields`:
// it is set). invalid_request as ResolveCredentials answers it.
absl::StatusOr<PresentedCredentials> CredentialsOf(absl::string_view authorization,
                                                   const v1::ClientCredentials& fields,
                                                   bool has_fields);

// The IP address in a gRPC peer string: "ipv4:127.0.0.1:5000" ->
// "127.0.0.1", "ipv6:[::1]:5000" (or %5B::1%5D) -> "::1"; any other scheme
// (unix sockets) is returned whole, so those callers share one address.
std::string PeerAddress(absl::string_view peer);

// TOKEN_FORMAT_UNSPECIFIED (and unknown values): the client's default.
TokenFormat FormatOf(v1::TokenFormat f);

// nullopt when no scope is requested.
std::optional<std::vector<std::string>> ScopesOf(
    const google::protobuf::RepeatedPtrField<std::string>& scopes);

// IssueToken's grant oneof as a TokenRequest; invalid_request when it names
// no grant.
absl::StatusOr<TokenRequest> ToTokenRequest(const v1::IssueTokenRequest& request);

// Refresh as a refresh_token TokenRequest.
TokenRequest ToRefreshRequest(const v1::RefreshRequest& request);

}  // namespace tokend::grpc_adapter
