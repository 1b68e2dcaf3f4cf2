#include "tests/testing/ledger_check.h"

#include <algorithm>
#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "services/common/secrets.h"

namespace tokend::testing {

size_t CountInLedger(const std::string& dsn, const std::vector<std::string>& tokens) {
  pqxx::connection c(dsn);
  pqxx::nontransaction tx(c);
  size_t found = 0;
  constexpr size_t kChunk = 10000;
  for (size_t i = 0; i < tokens.size(); i += kChunk) {
    std::string hexes;
    for (size_t j = i; j < std::min(tokens.size(), i + kChunk); ++j) {
      absl::StrAppend(&hexes, hexes.empty() ? "" : ",", secrets::Hex(secrets::Sha256(tokens[j])));
    }
    found += tx.exec_params("SELECT count(*) FROM tokens WHERE digest = ANY(SELECT decode(h, 'hex') "
                            "FROM unnest(string_to_array($1, ',')) AS h)",
                            hexes)[0][0]
                 .as<size_t>();
  }
  return found;
}

}  // namespace tokend::testing
