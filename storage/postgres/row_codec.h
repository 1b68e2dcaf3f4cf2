// Converting between libpqxx rows/parameters and the ledger records — the one
// place that knows the column order of every SELECT in statements.cc.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "storage/records.h"

#include <pqxx/pqxx>

namespace tokend::storage::pg {

// A PostgreSQL array literal built element by element: {"a","b"} for a
// text[] parameter, {1,2} for an integer one.
class ArrayLiteral {
 public:
  explicit ArrayLiteral(size_t reserve = 64) { out_.reserve(reserve); out_.push_back('{'); }
  ArrayLiteral& Text(absl::string_view value);  // quoted and escaped
  ArrayLiteral& Int(int64_t value);
  std::string Take();  // closes the literal; the builder is spent

 private:
  void Separate() {
    if (out_.size() > 1) out_.push_back(',');
  }
  std::string out_;
};

std::string TextArray(const std::vector<std::string>& values);
template <typename Int>
std::string IntArray(const std::vector<Int>& values);

std::vector<std::string> ParseTextArray(const pqxx::field& f);
std::optional<Time> OptionalMicros(const pqxx::field& f);
// An optional time as a text parameter: microseconds, or "" for NULL (the
// statement reads it with nullif($n, '')::int8).
std::string OptionalMicrosParam(const std::optional<Time>& t);

// Hex in parameters and results: bytea travels as hex text.
std::string ToHex(const std::string& raw);
std::string FromHex(const std::string& hex);

ClientRecord ClientFromRow(const pqxx::row& r);
UserRecord UserFromRow(const pqxx::row& r);
SigningKeyRecord KeyFromRow(const pqxx::row& r);

// ClientRecord::default_token_format as stored ('opaque' or 'jwt'), and back.
std::string TokenFormatName(TokenFormat format);
TokenFormat TokenFormatFromName(const std::string& name);
// Reads the token columns starting at `first`.
TokenRecord TokenFromRow(const pqxx::row& r, int first = 0);

}  // namespace tokend::storage::pg
