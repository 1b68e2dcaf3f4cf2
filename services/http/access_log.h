// What the HTTP access line needs from handlers, and the line itself. A
// handler notes the client and the OAuth outcome on its response in internal
// header fields; the session (the one place that also records the request's
// metrics) writes the access line and removes the notes before the response
// reaches the socket.
#pragma once

#include "absl/strings/string_view.h"
#include "services/http/http_types.h"

namespace tokend::http {

// The request id header, read from requests and set on every response.
inline constexpr char kRequestIdField[] = "X-Request-Id";

// The client a response answers (presented or authenticated; never the secret).
void NoteClientId(Response& res, absl::string_view client_id);
// The OAuth error code (or other `error` value) a response carries.
void NoteOutcome(Response& res, absl::string_view error);

struct AccessContext {
  absl::string_view request_id;
  absl::string_view method;
  absl::string_view path;  // without the query string
  double latency_seconds = 0;
};

// Writes the access line for `res` (outcome "ok" below 400 unless noted,
// "error" for an unnoted failure) and removes the notes from `res`.
void LogAccessAndStripNotes(Response& res, const AccessContext& ctx);

}  // namespace tokend::http
