// A JSON string literal (RFC 8259 §7) appended to an output buffer, for the
// few hot places that write JSON by hand instead of through protobuf's
// printer (JWT claims). Quotation mark, reverse solidus and the control
// characters are escaped; every other byte is copied, so the input must be
// valid UTF-8 for the result to be valid JSON.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace tokend::json {

void AppendString(std::string* out, absl::string_view text);

}  // namespace tokend::json
