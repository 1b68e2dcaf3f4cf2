// services/common/basic_auth on arbitrary header values: Parse never
// crashes, accepts only what IsBasic accepts, and Format -> Parse returns the
// credentials it was given (RFC 6749 §2.3.1 encoding).
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "services/common/basic_auth.h"
#include "tests/fuzz/fuzz_check.h"

namespace basic_auth = tokend::basic_auth;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view in(reinterpret_cast<const char*>(data), size);

  auto parsed = basic_auth::Parse(in);
  if (parsed.ok()) {
    FUZZ_CHECK(basic_auth::IsBasic(in));
    // What parsed formats canonically and parses back to the same pair.
    auto again = basic_auth::Parse(basic_auth::Format(parsed->client_id, parsed->client_secret));
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(again->client_id == parsed->client_id);
    FUZZ_CHECK(again->client_secret == parsed->client_secret);
  } else {
    FUZZ_CHECK(absl::IsInvalidArgument(parsed.status()));
  }

  // Any id and secret (the input split at its first NUL, or halved) round
  // trip, whatever bytes they hold (':' included: it is percent-encoded).
  size_t cut = in.find('\0');
  if (cut == absl::string_view::npos) cut = in.size() / 2;
  absl::string_view id = in.substr(0, cut);
  absl::string_view secret = in.substr(cut == in.size() ? cut : cut + 1);
  std::string header = basic_auth::Format(id, secret);
  FUZZ_CHECK(basic_auth::IsBasic(header));
  auto round = basic_auth::Parse(header);
  FUZZ_CHECK(round.ok());
  FUZZ_CHECK(round->client_id == id && round->client_secret == secret);
  return 0;
}
