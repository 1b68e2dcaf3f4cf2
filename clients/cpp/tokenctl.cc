// tokenctl: the command line over tokend's gRPC APIs.
//   tokenctl client create|get|list|update|delete|rotate-secret ...
//   tokenctl user create|get|list|update|set-password|delete ...
//   tokenctl token issue|refresh|introspect|revoke ...
//   tokenctl keys rotate|list
//   tokenctl role create|get|list|update|delete|manage|grant|revoke|user-roles ...
//   tokenctl token mint --user=… --client=… --scope=… --expires=2999-01-01T00:00:00Z
//   tokenctl token list|revoke-all --user=…|--client=…; tokenctl audit list [filters]
// Addresses and the admin key come from TOKEND_GRPC_ADDR, TOKEND_ADMIN_ADDR,
// TOKEND_ADMIN_KEY (or the key file in TOKEND_DATA_DIR), or the flags.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "tokenctl_commands.h"

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "tokenctl <client|user|token|keys|role|audit> <verb> [args] [--flags]\n"
      "  client create|get ID|list|update ID|delete ID|rotate-secret ID\n"
      "  user create|get ID|list|update ID|set-password ID|delete ID\n"
      "  token issue|refresh|introspect|revoke [--token_format=jwt|opaque]\n"
      "  token mint --user=U --client=C --scope=S --expires=2999-01-01T00:00:00Z\n"
      "  token list --user=ID|--client=ID [--include_inactive] [--limit=N] [--page_token=T|--all] [--json]\n"
      "  token revoke-all --user=ID|--client=ID (both: the user's tokens with that client)\n"
      "  audit list [--client=ID] [--user=ID] [--event=T1,T2] [--since=RFC3339] [--until=RFC3339]\n"
      "      [--limit=N] [--page_token=T|--all] [--json]\n"
      "  keys rotate|list (JWT signing keys)\n"
      "  role create NAME|get NAME|list|update NAME|delete NAME|manage NAME --manages=a,b\n"
      "  role grant|revoke ROLE --user=U; role user-roles --user=U");
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() < 3) {
    std::fprintf(stderr, "%s\n", absl::ProgramUsageMessage().data());
    return 2;
  }
  std::string noun = positional[1];
  std::string verb = positional[2];
  tokenctl::Args rest(positional.begin() + 3, positional.end());
  if (noun == "client") return tokenctl::ClientCommand(verb, rest);
  if (noun == "user") return tokenctl::UserCommand(verb, rest);
  if (noun == "token") return tokenctl::TokenCommand(verb, rest);
  if (noun == "keys") return tokenctl::KeysCommand(verb, rest);
  if (noun == "role") return tokenctl::RoleCommand(verb, rest);
  if (noun == "audit") return tokenctl::AuditCommand(verb, rest);
  std::fprintf(stderr, "tokenctl: unknown noun '%s' (client, user, token, keys, role, audit)\n",
               noun.c_str());
  return 2;
}
