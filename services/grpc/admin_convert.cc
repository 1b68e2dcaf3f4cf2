#include "services/grpc/admin_convert.h"

#include <functional>
#include <map>

#include "absl/strings/str_cat.h"
#include "services/token/oauth_error.h"

namespace tokend::grpc_adapter {
namespace {

void SetTime(storage::Time t, google::protobuf::Timestamp* out) {
  int64_t us = storage::ToUnixMicros(t);
  out->set_seconds(us / 1000000);
  out->set_nanos(static_cast<int>(us % 1000000) * 1000);
}

std::optional<storage::Time> OptionalTime(bool set, const google::protobuf::Timestamp& t) {
  if (!set) return std::nullopt;
  return storage::FromUnixMicros(t.seconds() * 1000000 + t.nanos() / 1000);
}

storage::TokenFormat FormatOf(v1::TokenFormat f) {
  return f == v1::TOKEN_FORMAT_JWT ? storage::TokenFormat::kJwt : storage::TokenFormat::kOpaque;
}

std::vector<std::string> Vec(const google::protobuf::RepeatedPtrField<std::string>& f) {
  return {f.begin(), f.end()};
}


// Each updatable field: how to copy it, and whether the proto sets it.
struct ClientField {
  std::function<void(const v1::Client&, storage::ClientRecord*)> copy;
  std::function<bool(const v1::Client&)> is_set;
};

const std::map<std::string, ClientField>& ClientFields() {
  static const auto* fields = new std::map<std::string, ClientField>{
      {"name", {[](auto& p, auto* r) { r->name = p.name(); }, [](auto& p) { return !p.name().empty(); }}},
      {"grant_types", {[](auto& p, auto* r) { r->grant_types = Vec(p.grant_types()); },
                       [](auto& p) { return p.grant_types_size() > 0; }}},
      {"allowed_scopes", {[](auto& p, auto* r) { r->allowed_scopes = Vec(p.allowed_scopes()); },
                          [](auto& p) { return p.allowed_scopes_size() > 0; }}},
      {"default_scopes", {[](auto& p, auto* r) { r->default_scopes = Vec(p.default_scopes()); },
                          [](auto& p) { return p.default_scopes_size() > 0; }}},
      {"access_token_ttl_seconds",
       {[](auto& p, auto* r) { r->access_ttl_seconds = p.access_token_ttl_seconds(); },
        [](auto& p) { return p.access_token_ttl_seconds() != 0; }}},
      {"refresh_token_ttl_seconds",
       {[](auto& p, auto* r) { r->refresh_ttl_seconds = p.refresh_token_ttl_seconds(); },
        [](auto& p) { return p.refresh_token_ttl_seconds() != 0; }}},
      {"max_user_sessions",
       {[](auto& p, auto* r) { r->max_user_sessions = p.has_max_user_sessions() ? p.max_user_sessions() : 2; },
        [](auto& p) { return p.has_max_user_sessions(); }}},
      {"redirect_uris", {[](auto& p, auto* r) { r->redirect_uris = Vec(p.redirect_uris()); },
                         [](auto& p) { return p.redirect_uris_size() > 0; }}},
      {"homepage_url", {[](auto& p, auto* r) { r->homepage_url = p.homepage_url(); },
                        [](auto& p) { return !p.homepage_url().empty(); }}},
      {"logo_url", {[](auto& p, auto* r) { r->logo_url = p.logo_url(); },
                    [](auto& p) { return !p.logo_url().empty(); }}},
      {"client_type",
       {[](auto& p, auto* r) { r->confidential = p.client_type() != v1::CLIENT_TYPE_PUBLIC; },
        [](auto& p) { return p.client_type() != v1::CLIENT_TYPE_UNSPECIFIED; }}},
      {"permissions", {[](auto& p, auto* r) { r->permissions = Vec(p.permissions()); },
                       [](auto& p) { return p.permissions_size() > 0; }}},
      {"default_token_format",
       {[](auto& p, auto* r) { r->default_token_format = FormatOf(p.default_token_format()); },
        [](auto& p) { return p.default_token_format() != v1::TOKEN_FORMAT_UNSPECIFIED; }}},
      {"allow_plain_pkce", {[](auto& p, auto* r) { r->allow_plain_pkce = p.allow_plain_pkce(); },
                            [](auto& p) { return p.allow_plain_pkce(); }}},
      {"rate_limit_per_second",
       {[](auto& p, auto* r) {
          r->rate_limit_per_second = p.has_rate_limit_per_second()
                                         ? std::optional<int32_t>(p.rate_limit_per_second())
                                         : std::nullopt;
        },
        [](auto& p) { return p.has_rate_limit_per_second(); }}},
  };
  return *fields;
}

struct UserField {
  std::function<void(const v1::User&, storage::UserRecord*)> copy;
  std::function<bool(const v1::User&)> is_set;
};

const std::map<std::string, UserField>& UserFields() {
  static const auto* fields = new std::map<std::string, UserField>{
      {"username", {[](auto& p, auto* r) { r->username = p.username(); }, [](auto& p) { return !p.username().empty(); }}},
      {"email", {[](auto& p, auto* r) { r->email = p.email(); }, [](auto& p) { return !p.email().empty(); }}},
      {"full_name", {[](auto& p, auto* r) { r->full_name = p.full_name(); }, [](auto& p) { return !p.full_name().empty(); }}},
      {"nickname", {[](auto& p, auto* r) { r->nickname = p.nickname(); }, [](auto& p) { return !p.nickname().empty(); }}},
      {"confirmed_email_at",
       {[](auto& p, auto* r) { r->confirmed_email_at = OptionalTime(p.has_confirmed_email_at(), p.confirmed_email_at()); },
        [](auto& p) { return p.has_confirmed_email_at(); }}},
      {"date_deletion_requested",
       {[](auto& p, auto* r) { r->date_deletion_requested = OptionalTime(p.has_date_deletion_requested(), p.date_deletion_requested()); },
        [](auto& p) { return p.has_date_deletion_requested(); }}},
      {"avatar_url", {[](auto& p, auto* r) { r->avatar_url = p.avatar_url(); }, [](auto& p) { return !p.avatar_url().empty(); }}},
  };
  return *fields;
}

template <typename Fields, typename Proto, typename Record>
absl::Status ApplyMask(const Fields& fields, const Proto& in,
                       const google::protobuf::FieldMask& mask, Record* record) {
  if (mask.paths_size() == 0) {
    for (const auto& [name, field] : fields) {
      if (field.is_set(in)) field.copy(in, record);
    }
    return absl::OkStatus();
  }
  for (const auto& path : mask.paths()) {
    auto it = fields.find(path);
    if (it == fields.end()) {
      return absl::InvalidArgumentError(absl::StrCat("update_mask: '", path, "' cannot be updated"));
    }
    it->second.copy(in, record);
  }
  return absl::OkStatus();
}

}  // namespace

void ToProto(const storage::ClientRecord& in, v1::Client* out) {
  out->set_client_id(in.client_id);
  out->set_name(in.name);
  for (const auto& s : in.grant_types) out->add_grant_types(s);
  for (const auto& s : in.allowed_scopes) out->add_allowed_scopes(s);
  for (const auto& s : in.default_scopes) out->add_default_scopes(s);
  out->set_access_token_ttl_seconds(in.access_ttl_seconds);
  out->set_refresh_token_ttl_seconds(in.refresh_ttl_seconds);
  out->set_max_user_sessions(in.max_user_sessions);
  for (const auto& s : in.redirect_uris) out->add_redirect_uris(s);
  out->set_homepage_url(in.homepage_url);
  out->set_logo_url(in.logo_url);
  out->set_client_type(in.confidential ? v1::CLIENT_TYPE_CONFIDENTIAL : v1::CLIENT_TYPE_PUBLIC);
  for (const auto& s : in.permissions) out->add_permissions(s);
  SetTime(in.created_at, out->mutable_create_time());
  SetTime(in.updated_at, out->mutable_update_time());
  out->set_default_token_format(in.default_token_format == storage::TokenFormat::kJwt
                                    ? v1::TOKEN_FORMAT_JWT
                                    : v1::TOKEN_FORMAT_OPAQUE);
  out->set_allow_plain_pkce(in.allow_plain_pkce);
  if (in.rate_limit_per_second) out->set_rate_limit_per_second(*in.rate_limit_per_second);
}

void ToProto(const storage::SigningKeyRecord& in, v1::SigningKey* out) {
  out->set_kid(in.kid);
  out->set_algorithm(in.algorithm);
  out->set_state(in.retired_at ? v1::SIGNING_KEY_STATE_RETIRED : v1::SIGNING_KEY_STATE_ACTIVE);
  SetTime(in.created_at, out->mutable_create_time());
  if (in.retired_at) SetTime(*in.retired_at, out->mutable_retire_time());
  if (in.publish_until) SetTime(*in.publish_until, out->mutable_publish_until_time());
}

void ToProto(const storage::UserRecord& in, v1::User* out) {
  out->set_id(in.id);
  out->set_username(in.username);
  out->set_email(in.email);
  out->set_full_name(in.full_name);
  out->set_nickname(in.nickname);
  SetTime(in.created_at, out->mutable_create_time());
  SetTime(in.updated_at, out->mutable_update_time());
  if (in.confirmed_email_at) SetTime(*in.confirmed_email_at, out->mutable_confirmed_email_at());
  if (in.date_deletion_requested) {
    SetTime(*in.date_deletion_requested, out->mutable_date_deletion_requested());
  }
  out->set_avatar_url(in.avatar_url);
}

storage::ClientRecord ClientFromProto(const v1::Client& in) {
  storage::ClientRecord r;
  r.client_id = in.client_id();
  (void)ApplyMask(ClientFields(), in, google::protobuf::FieldMask(), &r);
  return r;
}

storage::UserRecord UserFromProto(const v1::User& in) {
  storage::UserRecord r;
  (void)ApplyMask(UserFields(), in, google::protobuf::FieldMask(), &r);
  return r;
}

absl::Status ApplyClientMask(const v1::Client& in, const google::protobuf::FieldMask& mask,
                             storage::ClientRecord* record) {
  return ApplyMask(ClientFields(), in, mask, record);
}

absl::Status ApplyUserMask(const v1::User& in, const google::protobuf::FieldMask& mask,
                           storage::UserRecord* record) {
  return ApplyMask(UserFields(), in, mask, record);
}

}  // namespace tokend::grpc_adapter

namespace tokend::grpc_adapter {

void ToProto(const storage::AuditEventRecord& in, v1::AuditEvent* out) {
  out->set_id(in.id);
  SetTime(in.at, out->mutable_event_time());
  out->set_event_type(in.event);
  out->set_client_id(in.client_id);
  out->set_user_id(in.user_id);
  out->set_family_id(in.family_id);
  out->set_detail(in.detail);
}

void ToProto(const storage::TokenRecord& in, v1::LedgerToken* out) {
  out->set_token_id(in.jti);
  out->set_kind(in.kind == storage::TokenKind::kRefresh ? v1::TOKEN_KIND_REFRESH
                                                        : v1::TOKEN_KIND_ACCESS);
  out->set_client_id(in.client_id);
  out->set_user_id(in.user_id);
  out->set_family_id(in.family_id);
  out->set_scope(in.scope);
  out->set_audience(in.audience);
  switch (in.format) {
    case storage::TokenFormat::kJwt:
      out->set_format(v1::TOKEN_FORMAT_JWT);
      break;
    case storage::TokenFormat::kOpaque:
      out->set_format(v1::TOKEN_FORMAT_OPAQUE);
      break;
    case storage::TokenFormat::kDefault:
      break;
  }
  SetTime(in.issued_at, out->mutable_issue_time());
  SetTime(in.expires_at, out->mutable_expire_time());
  if (in.used_at) SetTime(*in.used_at, out->mutable_use_time());
  if (in.revoked_at) SetTime(*in.revoked_at, out->mutable_revoke_time());
}

absl::StatusOr<std::optional<storage::Time>> TimeBound(const char* field, bool set,
                                                       const google::protobuf::Timestamp& t) {
  if (!set) return std::nullopt;
  // 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59Z, as google.protobuf.Timestamp allows.
  if (t.seconds() < -62135596800 || t.seconds() > 253402300799 || t.nanos() < 0 ||
      t.nanos() > 999999999) {
    return oauth::InvalidRequest(absl::StrCat(field, ": not a valid timestamp."));
  }
  return storage::FromUnixMicros(t.seconds() * 1000000 + (t.nanos() + 999) / 1000);
}

}  // namespace tokend::grpc_adapter
