#include "services/common/form_codec.h"

#include "absl/strings/str_split.h"

namespace tokend::form {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsUnreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '.' || c == '_' || c == '*';
}

absl::StatusOr<std::string> PercentDecode(absl::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else if (c == '%') {
      if (i + 2 >= in.size()) return absl::InvalidArgumentError("truncated percent-encoding");
      int hi = HexValue(in[i + 1]);
      int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return absl::InvalidArgumentError("malformed percent-encoding");
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<std::string> Decode(absl::string_view in) { return PercentDecode(in, true); }

absl::StatusOr<std::string> DecodePathSegment(absl::string_view in) {
  return PercentDecode(in, false);
}

std::string Encode(absl::string_view in) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(in.size() * 3);
  for (unsigned char c : in) {
    if (IsUnreserved(c)) {
      out.push_back(static_cast<char>(c));
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

absl::StatusOr<Fields> Parse(absl::string_view body) {
  Fields fields;
  for (absl::string_view part : absl::StrSplit(body, '&', absl::SkipEmpty())) {
    size_t eq = part.find('=');
    absl::string_view name = part.substr(0, eq);
    absl::string_view value = eq == absl::string_view::npos ? absl::string_view() : part.substr(eq + 1);
    auto n = Decode(name);
    if (!n.ok()) return n.status();
    auto v = Decode(value);
    if (!v.ok()) return v.status();
    fields.emplace_back(*std::move(n), *std::move(v));
  }
  return fields;
}

}  // namespace tokend::form
