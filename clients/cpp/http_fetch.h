// A minimal blocking HTTP/1.1 client (Boost.Beast; TLS for https:// URLs,
// verifying the server against the system roots or a given CA file), for the
// resource-server side: fetching tokend's JWKS and asking its introspection
// endpoint.
#pragma once

#include <chrono>
#include <map>
#include <string>

#include "absl/status/statusor.h"

namespace tokend::client {

struct HttpOptions {
  std::string ca_file;  // PEM roots for https; empty: the system's
  std::chrono::milliseconds timeout{5000};
};

struct HttpReply {
  int status = 0;
  std::string body;
};

// GET (empty `form`) or POST application/x-www-form-urlencoded `form` to an
// http:// or https:// URL, with extra `headers`. UNAVAILABLE when the server
// cannot be reached or answers malformed HTTP; INVALID_ARGUMENT for a bad
// URL. Any HTTP status is a reply.
absl::StatusOr<HttpReply> HttpCall(const std::string& url, const std::string& form,
                                   const std::map<std::string, std::string>& headers,
                                   const HttpOptions& options);

}  // namespace tokend::client
