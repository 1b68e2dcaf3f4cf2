// services/common/form_codec on arbitrary bytes: Decode and Parse never
// crash, and Encode is a lossless, canonical inverse of Decode.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "services/common/form_codec.h"
#include "tests/fuzz/fuzz_check.h"

namespace form = tokend::form;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view in(reinterpret_cast<const char*>(data), size);

  // Any byte string survives an encode/decode round trip, and its encoding
  // uses only the characters a form body may carry unescaped.
  std::string encoded = form::Encode(in);
  for (char c : encoded) {
    FUZZ_CHECK(c != '&' && c != '=' && c != ' ' && static_cast<unsigned char>(c) > 0x20 &&
               static_cast<unsigned char>(c) < 0x7f);
  }
  auto decoded = form::Decode(encoded);
  FUZZ_CHECK(decoded.ok() && *decoded == in);

  // Decoding the input itself: never longer than its input, and what it
  // decodes to re-encodes and decodes to the same bytes.
  if (auto d = form::Decode(in); d.ok()) {
    FUZZ_CHECK(d->size() <= in.size());
    auto again = form::Decode(form::Encode(*d));
    FUZZ_CHECK(again.ok() && *again == *d);
  }

  // A body: when it parses, every field re-encoded and joined parses back to
  // the same fields.
  if (auto fields = form::Parse(in); fields.ok()) {
    std::string body;
    for (const auto& [name, value] : *fields) {
      if (!body.empty()) body += '&';
      body += form::Encode(name) + "=" + form::Encode(value);
    }
    auto reparsed = form::Parse(body);
    FUZZ_CHECK(reparsed.ok());
    // Parse skips empty segments: a field with an empty name and value
    // encodes to "=", which parses back as one field, so sizes match.
    FUZZ_CHECK(reparsed->size() == fields->size());
    for (size_t i = 0; i < fields->size(); ++i) FUZZ_CHECK((*reparsed)[i] == (*fields)[i]);
  }
  return 0;
}
