#include "services/grpc/identity_convert.h"

#include <functional>
#include <map>

#include "absl/strings/str_cat.h"

namespace tokend::grpc_adapter {
namespace {

struct RoleField {
  std::function<void(const v1::Role&, storage::RoleRecord*)> copy;
  std::function<bool(const v1::Role&)> is_set;
};

const std::map<std::string, RoleField>& RoleFields() {
  static const auto* fields = new std::map<std::string, RoleField>{
      {"is_badge", {[](auto& p, auto* r) { r->is_badge = p.is_badge(); }, [](auto& p) { return p.is_badge(); }}},
      {"is_active", {[](auto& p, auto* r) { r->is_active = !p.has_is_active() || p.is_active(); },
                     [](auto& p) { return p.has_is_active(); }}},
      {"label", {[](auto& p, auto* r) { r->label = p.label(); }, [](auto& p) { return !p.label().empty(); }}},
      {"description", {[](auto& p, auto* r) { r->description = p.description(); },
                       [](auto& p) { return !p.description().empty(); }}},
      {"image_url", {[](auto& p, auto* r) { r->image_url = p.image_url(); },
                     [](auto& p) { return !p.image_url().empty(); }}},
      {"link", {[](auto& p, auto* r) { r->link = p.link(); }, [](auto& p) { return !p.link().empty(); }}},
      {"image_width", {[](auto& p, auto* r) { r->image_width = p.image_width(); },
                       [](auto& p) { return p.image_width() != 0; }}},
      {"image_height", {[](auto& p, auto* r) { r->image_height = p.image_height(); },
                        [](auto& p) { return p.image_height() != 0; }}},
  };
  return *fields;
}

}  // namespace

google::protobuf::Timestamp ToTimestamp(storage::Time t) {
  google::protobuf::Timestamp out;
  int64_t us = storage::ToUnixMicros(t);
  int64_t s = us / 1000000, rem = us % 1000000;
  if (rem < 0) --s, rem += 1000000;
  out.set_seconds(s);
  out.set_nanos(static_cast<int>(rem) * 1000);
  return out;
}

storage::Time FromTimestamp(const google::protobuf::Timestamp& t) {
  return storage::FromUnixMicros(t.seconds() * 1000000 + t.nanos() / 1000);
}

void ToProto(const storage::RoleRecord& in, v1::Role* out) {
  out->set_name(in.name);
  out->set_is_badge(in.is_badge);
  out->set_is_active(in.is_active);
  out->set_label(in.label);
  out->set_description(in.description);
  out->set_image_url(in.image_url);
  out->set_link(in.link);
  out->set_image_width(in.image_width);
  out->set_image_height(in.image_height);
  for (const auto& m : in.manages) out->add_managed_roles(m);
  *out->mutable_create_time() = ToTimestamp(in.created_at);
  *out->mutable_update_time() = ToTimestamp(in.updated_at);
}

void ToProto(const storage::UserRole& in, v1::UserRoleGrant* out) {
  ToProto(in.role, out->mutable_role());
  *out->mutable_grant_time() = ToTimestamp(in.granted_at);
}

void ToProto(const identity::UserProfile& in, v1::UserProfile* out) {
  out->set_id(in.user.id);
  out->set_full_name(in.user.full_name);
  out->set_email(in.user.email);
  out->set_nickname(in.user.nickname);
  for (const auto& r : in.roles) out->add_roles(r);
  if (in.user.date_deletion_requested) {
    *out->mutable_date_deletion_requested() = ToTimestamp(*in.user.date_deletion_requested);
  }
  if (in.user.confirmed_email_at) {
    *out->mutable_confirmed_email_at() = ToTimestamp(*in.user.confirmed_email_at);
  }
  out->set_avatar_url(in.user.avatar_url);
}

void ToProto(const storage::RoleRecord& in, v1::Badge* out) {
  out->set_name(in.name);
  out->set_label(in.label.empty() ? in.name : in.label);
  out->set_description(in.description);
  out->set_image(in.image_url);
  out->set_image_width(in.image_width);
  out->set_image_height(in.image_height);
  out->set_link(in.link);
}

storage::RoleRecord RoleFromProto(const v1::Role& in) {
  storage::RoleRecord r;
  r.name = in.name();
  for (const auto& [name, field] : RoleFields()) {
    if (field.is_set(in)) field.copy(in, &r);
  }
  r.manages.assign(in.managed_roles().begin(), in.managed_roles().end());
  return r;
}

absl::Status ApplyRoleMask(const v1::Role& in, const google::protobuf::FieldMask& mask,
                           storage::RoleRecord* record) {
  if (mask.paths_size() == 0) {
    for (const auto& [name, field] : RoleFields()) {
      if (field.is_set(in)) field.copy(in, record);
    }
    return absl::OkStatus();
  }
  for (const auto& path : mask.paths()) {
    auto it = RoleFields().find(path);
    if (it == RoleFields().end()) {
      return absl::InvalidArgumentError(absl::StrCat("update_mask: '", path, "' cannot be updated"));
    }
    it->second.copy(in, record);
  }
  return absl::OkStatus();
}

}  // namespace tokend::grpc_adapter
