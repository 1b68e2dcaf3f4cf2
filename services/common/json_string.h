// JSON string text (RFC 8259 §7) appended to an output buffer, for the hot
// places that write JSON by hand instead of through protobuf's printer (log
// lines, JWT claims). Quotation mark, reverse solidus, control characters and
// DEL are escaped; invalid UTF-8 becomes U+FFFD byte by byte, so the result is
// always valid JSON and no value can break a line or forge a member.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace tokend::json {

// The inside of a string literal (no quotes).
void AppendEscaped(absl::string_view value, std::string& out);

// A whole string literal, quotes included.
void AppendString(std::string* out, absl::string_view text);

}  // namespace tokend::json
