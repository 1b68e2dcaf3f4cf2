// The one tokend (with its PostgreSQL) that every client test in this binary
// talks to, and the OAuth clients and user registered for them.
#pragma once

#include <map>
#include <string>

#include "tests/testing/tokend_process.h"

namespace tokend::testing {

struct ClientsEnv {
  TokendProcess* server = nullptr;
  // client_credentials, password, refresh_token; scopes read write (default
  // read); unlimited sessions.
  std::string app_id, app_secret;
  // client_credentials with a 4 s access token lifetime (renewal tests).
  std::string short_id, short_secret;
  // A resource server's own client, holding the `introspect` permission.
  std::string rs_id, rs_secret;
  std::string username, password;
  std::string source_dir;  // the repository
  std::string build_dir;   // CLIENTS_BUILD_DIR: generated stubs, Go cache, scratch
  // TOKEND_* for the language test suites (TOKEND_ISSUER: the iss of its JWTs).
  std::map<std::string, std::string> vars;
};

// Started once, before the first test; stopped after the last.
const ClientsEnv& Clients();

}  // namespace tokend::testing
