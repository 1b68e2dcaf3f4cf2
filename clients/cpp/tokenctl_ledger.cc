// tokenctl's operator commands over the AdminService:
//   tokenctl audit list [--client=ID] [--user=ID] [--event=TYPE[,TYPE…]]
//       [--since=RFC3339] [--until=RFC3339] [--limit=N] [--page_token=T | --all] [--json]
//   tokenctl token list --user=ID|--client=ID [--include_inactive] [--limit=N]
//       [--page_token=T | --all] [--json]
//   tokenctl token revoke-all --user=ID|--client=ID (both: that user's tokens with that client)
// Listings print a table (or, with --json, one JSON object per line) and,
// when more rows remain, the flag that fetches the next page. revoke-all
// shows its progress on stderr and prints a JSON summary.
#include <google/protobuf/util/json_util.h>
#include <unistd.h>

#include <cstdio>
#include <functional>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "tokenctl_commands.h"

ABSL_DECLARE_FLAG(std::string, user);
ABSL_DECLARE_FLAG(std::string, client);
ABSL_DECLARE_FLAG(std::string, client_id);
ABSL_DECLARE_FLAG(std::string, page_token);

ABSL_FLAG(std::vector<std::string>, event, {}, "audit list: comma-separated event types");
ABSL_FLAG(std::string, since, "", "audit list: rows at or after this RFC 3339 time");
ABSL_FLAG(std::string, until, "", "audit list: rows before this RFC 3339 time");
ABSL_FLAG(int, limit, 0, "audit list, token list: rows per page (default 100, at most 1000)");
ABSL_FLAG(bool, all, false, "audit list, token list: every page, not just the first");
ABSL_FLAG(bool, json, false, "audit list, token list: one JSON object per line");
ABSL_FLAG(bool, include_inactive, false, "token list: also revoked, expired and used tokens");

namespace tokenctl {
namespace {

namespace v1 = tokend::v1;
using google::protobuf::Timestamp;

std::string ClientFlag() {
  std::string c = absl::GetFlag(FLAGS_client);
  return c.empty() ? absl::GetFlag(FLAGS_client_id) : c;
}

std::string Time(const Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "-";
  absl::Time at = absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", at, absl::UTCTimeZone());
}

std::string Dash(const std::string& s) { return s.empty() ? "-" : s; }

void PrintJsonLine(const google::protobuf::Message& m) {
  std::string json;
  google::protobuf::util::JsonPrintOptions opts;
  opts.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(m, &json, opts);
  std::printf("%s\n", json.c_str());
}

// Fetches pages with `fetch(page_token, &next)` (which prints the rows) —
// all of them with --all — then says how to get the next one.
int Pages(const std::function<grpc::Status(const std::string&, std::string*)>& fetch) {
  std::string token = absl::GetFlag(FLAGS_page_token);
  if (absl::GetFlag(FLAGS_all) && !token.empty()) return Fail("give --page_token or --all, not both");
  if (absl::GetFlag(FLAGS_limit) < 0) return Fail("--limit must not be negative");
  for (;;) {
    std::string next;
    if (grpc::Status st = fetch(token, &next); !st.ok()) return RpcFailure(st);
    if (next.empty()) return 0;
    if (!absl::GetFlag(FLAGS_all)) {
      if (absl::GetFlag(FLAGS_json)) {
        std::printf("{\"next_page_token\":\"%s\"}\n", next.c_str());
      } else {
        std::printf("more: --page_token=%s\n", next.c_str());
      }
      return 0;
    }
    token = next;
  }
}

int AuditList() {
  v1::ListAuditEventsRequest req;
  req.set_client_id(ClientFlag());
  req.set_user_id(absl::GetFlag(FLAGS_user));
  for (const auto& e : absl::GetFlag(FLAGS_event)) req.add_event_types(e);
  if (std::string s = absl::GetFlag(FLAGS_since); !s.empty() && !ParseTimestamp(s, req.mutable_start_time())) {
    return Fail("--since is not an RFC 3339 time (e.g. 2024-05-01T00:00:00Z)");
  }
  if (std::string u = absl::GetFlag(FLAGS_until); !u.empty() && !ParseTimestamp(u, req.mutable_end_time())) {
    return Fail("--until is not an RFC 3339 time (e.g. 2024-05-01T00:00:00Z)");
  }
  req.set_page_size(absl::GetFlag(FLAGS_limit));
  bool json = absl::GetFlag(FLAGS_json);
  if (!json) {
    std::printf("%-27s %-16s %-24s %-36s %-36s %s\n", "TIME", "EVENT", "CLIENT", "USER", "FAMILY",
                "DETAIL");
  }
  return Pages([&](const std::string& token, std::string* next) {
    grpc::ClientContext ctx;
    auto admin = Admin(&ctx);
    req.set_page_token(token);
    v1::ListAuditEventsResponse resp;
    grpc::Status st = admin->ListAuditEvents(&ctx, req, &resp);
    if (!st.ok()) return st;
    for (const auto& e : resp.audit_events()) {
      if (json) {
        PrintJsonLine(e);
      } else {
        std::printf("%-27s %-16s %-24s %-36s %-36s %s\n", Time(e.event_time()).c_str(),
                    e.event_type().c_str(), Dash(e.client_id()).c_str(), Dash(e.user_id()).c_str(),
                    Dash(e.family_id()).c_str(), e.detail().c_str());
      }
    }
    *next = resp.next_page_token();
    return st;
  });
}

std::string State(const v1::LedgerToken& t) {
  if (t.has_revoke_time()) return "revoked";
  if (t.has_use_time()) return "used";
  if (t.expire_time().seconds() <= absl::ToUnixSeconds(absl::Now())) return "expired";
  return "active";
}

int TokenList() {
  v1::ListTokensRequest req;
  req.set_user_id(absl::GetFlag(FLAGS_user));
  req.set_client_id(ClientFlag());
  if (req.user_id().empty() == req.client_id().empty()) {
    return Fail("token list needs exactly one of --user=ID and --client=ID");
  }
  req.set_include_inactive(absl::GetFlag(FLAGS_include_inactive));
  req.set_page_size(absl::GetFlag(FLAGS_limit));
  bool json = absl::GetFlag(FLAGS_json);
  if (!json) {
    std::printf("%-32s %-7s %-6s %-8s %-24s %-36s %-36s %-27s %-27s %s\n", "TOKEN_ID", "KIND",
                "FORMAT", "STATE", "CLIENT", "USER", "FAMILY", "ISSUED", "EXPIRES", "SCOPE");
  }
  return Pages([&](const std::string& token, std::string* next) {
    grpc::ClientContext ctx;
    auto admin = Admin(&ctx);
    req.set_page_token(token);
    v1::ListTokensResponse resp;
    grpc::Status st = admin->ListTokens(&ctx, req, &resp);
    if (!st.ok()) return st;
    for (const auto& t : resp.tokens()) {
      if (json) {
        PrintJsonLine(t);
        continue;
      }
      const char* kind = t.kind() == v1::TOKEN_KIND_REFRESH ? "refresh" : "access";
      const char* format = t.format() == v1::TOKEN_FORMAT_JWT      ? "jwt"
                           : t.format() == v1::TOKEN_FORMAT_OPAQUE ? "opaque"
                                                                   : "-";
      std::printf("%-32s %-7s %-6s %-8s %-24s %-36s %-36s %-27s %-27s %s\n", t.token_id().c_str(),
                  kind, format, State(t).c_str(), t.client_id().c_str(), Dash(t.user_id()).c_str(),
                  Dash(t.family_id()).c_str(), Time(t.issue_time()).c_str(),
                  Time(t.expire_time()).c_str(), t.scope().c_str());
    }
    *next = resp.next_page_token();
    return st;
  });
}

std::string ProgressLine(const v1::RevokeTokensResponse& p) {
  std::string line = absl::StrCat("revoked ", p.revoked_families(), "/", p.total_families(),
                                  " families");
  if (p.total_tokens() > 0 || p.revoked_tokens() > 0) {
    absl::StrAppend(&line, ", ", p.revoked_tokens(), "/", p.total_tokens(),
                    " tokens outside sessions");
  }
  return line;
}

int RevokeAll() {
  v1::RevokeTokensRequest req;
  req.set_user_id(absl::GetFlag(FLAGS_user));
  req.set_client_id(ClientFlag());
  if (req.user_id().empty() && req.client_id().empty()) {
    return Fail("token revoke-all needs --user=ID, --client=ID, or both");
  }
  grpc::ClientContext ctx;
  auto admin = Admin(&ctx);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::hours(1));
  auto reader = admin->RevokeTokens(&ctx, req);
  bool tty = isatty(fileno(stderr)) != 0;
  v1::RevokeTokensResponse progress, last;
  bool shown = false;
  while (reader->Read(&progress)) {
    last = progress;
    std::fprintf(stderr, tty ? "\r%s\x1b[K" : "%s\n", ProgressLine(progress).c_str());
    shown = true;
  }
  if (tty && shown) std::fputc('\n', stderr);
  if (grpc::Status st = reader->Finish(); !st.ok()) return RpcFailure(st);
  std::printf("{\"revoked_families\": %lld, \"revoked_tokens\": %lld, \"done\": %s}\n",
              static_cast<long long>(last.revoked_families()),
              static_cast<long long>(last.revoked_tokens()), last.done() ? "true" : "false");
  return last.done() ? 0 : 1;
}

}  // namespace

int AuditCommand(const std::string& verb, const Args& args) {
  if (!args.empty()) return Fail("audit " + verb + " takes no arguments, only flags");
  if (verb == "list") return AuditList();
  return Fail("unknown verb 'audit " + verb + "' (list)");
}

int TokenAdminCommand(const std::string& verb, const Args& args) {
  if (!args.empty()) return Fail("token " + verb + " takes no arguments, only flags");
  if (verb == "list") return TokenList();
  if (verb == "revoke-all") return RevokeAll();
  return Fail("unknown verb 'token " + verb + "'");
}

}  // namespace tokenctl
