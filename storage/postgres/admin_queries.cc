#include "storage/postgres/admin_queries.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "storage/postgres/row_codec.h"
#include "storage/postgres/sql_time.h"

namespace tokend::storage::pg {
namespace {

// Collects predicates and their parameters.
class Where {
 public:
  explicit Where(Query& q) : q_(q) {}
  // The placeholder for a new parameter.
  std::string Param(std::string value) {
    q_.params.push_back(std::move(value));
    return absl::StrCat("$", q_.params.size());
  }
  void Add(std::string predicate) { terms_.push_back(std::move(predicate)); }
  std::string Sql() const {
    return terms_.empty() ? "" : absl::StrCat(" WHERE ", absl::StrJoin(terms_, " AND "));
  }

 private:
  Query& q_;
  std::vector<std::string> terms_;
};

// TS() of sql_time.h for a placeholder known only at run time.
std::string Ts(const std::string& placeholder) {
  return absl::StrCat("(timestamptz 'epoch' + ", placeholder, "::int8 * interval '1 microsecond')");
}

std::string Micros(Time t) { return std::to_string(ToUnixMicros(t)); }

void AddOwner(Where& w, const TokenOwner& owner, const char* table) {
  if (!owner.user_id.empty()) w.Add(absl::StrCat(table, ".user_id = ", w.Param(owner.user_id)));
  if (!owner.client_id.empty()) {
    w.Add(absl::StrCat(table, ".client_id = ", w.Param(owner.client_id)));
  }
}

constexpr char kLiveFamily[] = "f.revoked_at IS NULL AND f.expires_at > now()";
constexpr char kLiveLooseToken[] =
    "t.family_id IS NULL AND t.revoked_at IS NULL AND t.expires_at > now()";

}  // namespace

Query AuditEventsQuery(const AuditQuery& a) {
  Query q;
  Where w(q);
  if (!a.client_id.empty()) w.Add("client_id = " + w.Param(a.client_id));
  if (!a.user_id.empty()) w.Add("user_id = " + w.Param(a.user_id));
  if (!a.events.empty()) w.Add(absl::StrCat("event = ANY(", w.Param(TextArray(a.events)), "::text[])"));
  if (a.start) w.Add(absl::StrCat("at >= ", Ts(w.Param(Micros(*a.start)))));
  if (a.end) w.Add(absl::StrCat("at < ", Ts(w.Param(Micros(*a.end)))));
  if (a.after) {
    std::string at = w.Param(Micros(a.after->first));
    std::string id = w.Param(std::to_string(a.after->second));
    w.Add(absl::StrCat("(at, id) < (", Ts(at), ", ", id, "::int8)"));
  }
  std::string limit = w.Param(std::to_string(a.limit));
  q.sql = absl::StrCat(
      "SELECT id, " US("at") ", event, coalesce(client_id, ''), coalesce(user_id, ''), "
      "coalesce(family_id::text, ''), detail FROM audit_events",
      w.Sql(), " ORDER BY at DESC, id DESC LIMIT ", limit, "::int4");
  return q;
}

Query TokensQuery(const TokenQuery& t) {
  Query q;
  Where w(q);
  AddOwner(w, t.owner, "t");
  if (!t.include_inactive) {
    w.Add("t.revoked_at IS NULL AND t.expires_at > now() AND t.used_at IS NULL");
  }
  if (t.after) {
    std::string at = w.Param(Micros(t.after->first));
    std::string jti = w.Param(t.after->second);
    w.Add(absl::StrCat("(t.issued_at, t.jti) < (", Ts(at), ", ", jti, "::text)"));
  }
  std::string limit = w.Param(std::to_string(t.limit));
  q.sql = absl::StrCat(
      "SELECT t.kind, t.client_id, coalesce(t.user_id, ''), coalesce(t.family_id::text, ''), "
      "t.scope, t.audience, t.jti, " US("t.issued_at") ", " US("t.expires_at") ", " US(
          "t.used_at") ", " US("t.revoked_at") ", coalesce(t.format, '') FROM tokens t",
      w.Sql(), " ORDER BY t.issued_at DESC, t.jti DESC LIMIT ", limit, "::int4");
  return q;
}

Query CountLiveQuery(const TokenOwner& owner) {
  Query q;
  Where families(q);
  AddOwner(families, owner, "f");
  families.Add(kLiveFamily);
  Where loose(q);
  AddOwner(loose, owner, "t");
  loose.Add(kLiveLooseToken);
  q.sql = absl::StrCat("SELECT (SELECT count(*) FROM token_families f", families.Sql(),
                       "), (SELECT count(*) FROM tokens t", loose.Sql(), ")");
  return q;
}

Query RevokeFamiliesQuery(const TokenOwner& owner, int limit) {
  Query q;
  Where w(q);
  AddOwner(w, owner, "f");
  w.Add(kLiveFamily);
  q.sql = absl::StrCat(
      "UPDATE token_families SET revoked_at = now() WHERE family_id IN (SELECT f.family_id "
      "FROM token_families f", w.Sql(), " LIMIT ", w.Param(std::to_string(limit)),
      "::int4 FOR UPDATE) RETURNING family_id::text, client_id, user_id");
  return q;
}

Query RevokeLooseTokensQuery(const TokenOwner& owner, int limit) {
  Query q;
  Where w(q);
  AddOwner(w, owner, "t");
  w.Add(kLiveLooseToken);
  q.sql = absl::StrCat(
      "UPDATE tokens SET revoked_at = now() WHERE digest IN (SELECT t.digest FROM tokens t",
      w.Sql(), " LIMIT ", w.Param(std::to_string(limit)),
      "::int4 FOR UPDATE) RETURNING encode(digest, 'hex'), client_id, coalesce(user_id, '')");
  return q;
}

pqxx::result Exec(pqxx::transaction_base& tx, const Query& q) {
  return tx.exec_params(q.sql, pqxx::prepare::make_dynamic_params(q.params));
}

AuditEventRecord AuditEventFromRow(const pqxx::row& r) {
  AuditEventRecord e;
  e.id = r[0].as<int64_t>();
  e.at = FromUnixMicros(r[1].as<int64_t>());
  e.event = r[2].as<std::string>();
  e.client_id = r[3].as<std::string>();
  e.user_id = r[4].as<std::string>();
  e.family_id = r[5].as<std::string>();
  e.detail = r[6].as<std::string>();
  return e;
}

TokenRecord ListedTokenFromRow(const pqxx::row& r) {
  TokenRecord t;
  t.kind = static_cast<TokenKind>(r[0].as<int>());
  t.client_id = r[1].as<std::string>();
  t.user_id = r[2].as<std::string>();
  t.family_id = r[3].as<std::string>();
  t.scope = r[4].as<std::string>();
  t.audience = r[5].as<std::string>();
  t.jti = r[6].as<std::string>();
  t.issued_at = FromUnixMicros(r[7].as<int64_t>());
  t.expires_at = FromUnixMicros(r[8].as<int64_t>());
  t.used_at = OptionalMicros(r[9]);
  t.revoked_at = OptionalMicros(r[10]);
  std::string format = r[11].as<std::string>();
  t.format = format.empty() ? TokenFormat::kDefault : TokenFormatFromName(format);
  return t;
}

}  // namespace tokend::storage::pg
