// tokenctl's commands: each takes the positional arguments after
// "<noun> <verb>" and returns the process exit code, printing JSON on success
// and one line on stderr on failure.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <google/protobuf/message.h>
#include <grpcpp/grpcpp.h>

#include "tokend/v1/admin.grpc.pb.h"

namespace tokenctl {

using Args = std::vector<std::string>;

int ClientCommand(const std::string& verb, const Args& args);
int UserCommand(const std::string& verb, const Args& args);
int TokenCommand(const std::string& verb, const Args& args);
int KeysCommand(const std::string& verb, const Args& args);
// tokenctl_identity.cc: role create|get|list|update|delete|manage|grant|revoke|user-roles,
// and `token mint` (an admin-minted access token with an explicit expiry).
int RoleCommand(const std::string& verb, const Args& args);
int MintCommand(const Args& args);
// tokenctl_ledger.cc: audit list, and token list|revoke-all (admin API).
int AuditCommand(const std::string& verb, const Args& args);
int TokenAdminCommand(const std::string& verb, const Args& args);
// RFC 3339 → Timestamp; false when malformed.
bool ParseTimestamp(const std::string& text, google::protobuf::Timestamp* out);
// Fills the User's identity fields (avatar_url, confirmed_email_at,
// date_deletion_requested) from their flags, marking given ones in `mask`;
// false with `*error` for a malformed time.
bool UserIdentityFromFlags(tokend::v1::User* u, google::protobuf::FieldMask* mask,
                           std::string* error);

// Shared by the command files: one-line failure (exit 1), JSON output (exit
// 0), a failed RPC, and an AdminService stub with the admin key on `ctx`.
int Fail(const std::string& message);
int Print(const google::protobuf::Message& m);
int RpcFailure(const grpc::Status& st);
std::unique_ptr<tokend::v1::AdminService::Stub> Admin(grpc::ClientContext* ctx);

}  // namespace tokenctl
