// Looks acknowledged tokens up in the ledger itself (by the SHA-256 digest it
// stores), for tests that must prove no acknowledged token was lost.
#pragma once

#include <string>
#include <vector>

namespace tokend::testing {

// How many of `tokens` have a row in the tokens table of `dsn`.
size_t CountInLedger(const std::string& dsn, const std::vector<std::string>& tokens);

}  // namespace tokend::testing
