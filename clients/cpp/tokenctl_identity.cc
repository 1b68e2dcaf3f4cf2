// tokenctl's identity commands (Blender ID roles and badges) and `token mint`,
// over the AdminService:
//   tokenctl role create NAME [--badge] [--active=false] [--label=…] [--description=…]
//       [--image_url=…] [--link=…] [--image_width=N] [--image_height=N] [--manages=a,b]
//   tokenctl role get NAME | list | update NAME [fields] | delete NAME
//   tokenctl role manage NAME --manages=a,b       (replaces the managed roles; empty: none)
//   tokenctl role grant|revoke ROLE --user=ID_OR_USERNAME
//   tokenctl role user-roles --user=ID_OR_USERNAME
//   tokenctl token mint --user=ID_OR_USERNAME --client=CLIENT_ID --scope="badger"
//       --expires=2999-01-01T00:00:00Z
#include <cstdio>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "tokenctl_commands.h"

ABSL_DECLARE_FLAG(std::string, scope);
ABSL_DECLARE_FLAG(std::string, client_id);
ABSL_DECLARE_FLAG(std::vector<std::string>, update_mask);

// Role fields.
ABSL_FLAG(bool, badge, false, "role: a badge (shown publicly)");
ABSL_FLAG(bool, active, true, "role: active (inactive roles count for nothing)");
ABSL_FLAG(std::string, label, "", "role: badge label");
ABSL_FLAG(std::string, description, "", "role: badge description");
ABSL_FLAG(std::string, image_url, "", "role: badge image URL");
ABSL_FLAG(std::string, link, "", "role: badge link");
ABSL_FLAG(int, image_width, 0, "role: badge image width");
ABSL_FLAG(int, image_height, 0, "role: badge image height");
ABSL_FLAG(std::vector<std::string>, manages, {}, "role: comma-separated roles it may manage");
// Users and minted tokens.
ABSL_FLAG(std::string, user, "", "user id or username (role grant|revoke, token mint)");
ABSL_FLAG(std::string, client, "", "token mint: the client id (or --client_id)");
ABSL_FLAG(std::string, expires, "", "token mint: RFC 3339 expiry, e.g. 2999-01-01T00:00:00Z");
// User identity fields (user create|update).
ABSL_FLAG(std::string, avatar_url, "", "user: avatar URL");
ABSL_FLAG(std::string, confirmed_email_at, "", "user: RFC 3339 time the email was confirmed");
ABSL_FLAG(std::string, date_deletion_requested, "", "user: RFC 3339 time deletion was requested");

namespace tokenctl {
namespace {

namespace v1 = tokend::v1;

bool Given(const char* flag) {
  auto* f = absl::FindCommandLineFlag(flag);
  return f != nullptr && f->CurrentValue() != f->DefaultValue();
}


void RoleFromFlags(v1::Role* r, google::protobuf::FieldMask* mask) {
  auto mark = [&](const char* flag, const char* field) {
    if (mask != nullptr && Given(flag)) mask->add_paths(field);
  };
  r->set_is_badge(absl::GetFlag(FLAGS_badge)), mark("badge", "is_badge");
  r->set_is_active(absl::GetFlag(FLAGS_active)), mark("active", "is_active");
  r->set_label(absl::GetFlag(FLAGS_label)), mark("label", "label");
  r->set_description(absl::GetFlag(FLAGS_description)), mark("description", "description");
  r->set_image_url(absl::GetFlag(FLAGS_image_url)), mark("image_url", "image_url");
  r->set_link(absl::GetFlag(FLAGS_link)), mark("link", "link");
  r->set_image_width(absl::GetFlag(FLAGS_image_width)), mark("image_width", "image_width");
  r->set_image_height(absl::GetFlag(FLAGS_image_height)), mark("image_height", "image_height");
  if (mask != nullptr && !absl::GetFlag(FLAGS_update_mask).empty()) {
    mask->clear_paths();
    for (const auto& p : absl::GetFlag(FLAGS_update_mask)) mask->add_paths(p);
  }
}

// The id of the user named by --user (an id, else a username); "" after
// printing the failure.
std::string ResolveUser(int* exit_code) {
  std::string user = absl::GetFlag(FLAGS_user);
  if (user.empty()) {
    *exit_code = Fail("--user (an id or a username) is required");
    return "";
  }
  for (bool by_id : {true, false}) {
    grpc::ClientContext ctx;
    auto admin = Admin(&ctx);
    v1::GetUserRequest req;
    v1::GetUserResponse resp;
    (by_id ? req.mutable_id() : req.mutable_username())->assign(user);
    grpc::Status st = admin->GetUser(&ctx, req, &resp);
    if (st.ok()) return resp.user().id();
    if (st.error_code() != grpc::StatusCode::NOT_FOUND) {
      *exit_code = RpcFailure(st);
      return "";
    }
  }
  *exit_code = Fail("no user with id or username '" + user + "'");
  return "";
}

}  // namespace

bool ParseTimestamp(const std::string& text, google::protobuf::Timestamp* out) {
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, text, &t, &err)) return false;
  out->set_seconds(absl::ToUnixSeconds(t));
  out->set_nanos(static_cast<int>((t - absl::FromUnixSeconds(out->seconds())) / absl::Nanoseconds(1)));
  return true;
}

bool UserIdentityFromFlags(v1::User* u, google::protobuf::FieldMask* mask, std::string* error) {
  u->set_avatar_url(absl::GetFlag(FLAGS_avatar_url));
  if (mask != nullptr && Given("avatar_url")) mask->add_paths("avatar_url");
  for (auto [flag, field] : std::initializer_list<
           std::pair<const char*, google::protobuf::Timestamp* (v1::User::*)()>>{
           {"confirmed_email_at", &v1::User::mutable_confirmed_email_at},
           {"date_deletion_requested", &v1::User::mutable_date_deletion_requested}}) {
    std::string value = absl::FindCommandLineFlag(flag)->CurrentValue();
    if (!value.empty() && !ParseTimestamp(value, (u->*field)())) {
      *error = std::string("--") + flag + " is not an RFC 3339 time";
      return false;
    }
    if (mask != nullptr && Given(flag)) mask->add_paths(flag);
  }
  return true;
}

int RoleCommand(const std::string& verb, const Args& args) {
  std::string name = args.empty() ? "" : args[0];
  grpc::ClientContext ctx;
  grpc::Status st;
  if (verb == "list") {
    auto admin = Admin(&ctx);
    v1::ListRolesResponse resp;
    if (!(st = admin->ListRoles(&ctx, v1::ListRolesRequest(), &resp)).ok()) return RpcFailure(st);
    return Print(resp);
  }
  if (verb == "user-roles") {
    int code = 0;
    std::string user_id = ResolveUser(&code);
    if (user_id.empty()) return code;
    auto admin = Admin(&ctx);
    v1::ListUserRolesRequest req;
    v1::ListUserRolesResponse resp;
    req.set_user_id(user_id);
    if (!(st = admin->ListUserRoles(&ctx, req, &resp)).ok()) return RpcFailure(st);
    return Print(resp);
  }
  if (name.empty()) return Fail("role " + verb + " needs a role name");
  if (verb == "create") {
    auto admin = Admin(&ctx);
    v1::CreateRoleRequest req;
    v1::CreateRoleResponse resp;
    RoleFromFlags(req.mutable_role(), nullptr);
    req.mutable_role()->set_name(name);
    for (const auto& m : absl::GetFlag(FLAGS_manages)) req.mutable_role()->add_managed_roles(m);
    if (!(st = admin->CreateRole(&ctx, req, &resp)).ok()) return RpcFailure(st);
    return Print(resp.role());
  }
  if (verb == "get") {
    auto admin = Admin(&ctx);
    v1::GetRoleRequest req;
    v1::GetRoleResponse resp;
    req.set_name(name);
    if (!(st = admin->GetRole(&ctx, req, &resp)).ok()) return RpcFailure(st);
    return Print(resp.role());
  }
  if (verb == "update") {
    auto admin = Admin(&ctx);
    v1::UpdateRoleRequest req;
    v1::UpdateRoleResponse resp;
    RoleFromFlags(req.mutable_role(), req.mutable_update_mask());
    req.mutable_role()->set_name(name);
    if (req.update_mask().paths_size() == 0) return Fail("role update: no field given");
    if (!(st = admin->UpdateRole(&ctx, req, &resp)).ok()) return RpcFailure(st);
    return Print(resp.role());
  }
  if (verb == "delete") {
    auto admin = Admin(&ctx);
    v1::DeleteRoleRequest req;
    v1::DeleteRoleResponse resp;
    req.set_name(name);
    if (!(st = admin->DeleteRole(&ctx, req, &resp)).ok()) return RpcFailure(st);
    std::printf("{\"deleted\": \"%s\"}\n", name.c_str());
    return 0;
  }
  if (verb == "manage") {
    auto admin = Admin(&ctx);
    v1::SetManagedRolesRequest req;
    v1::SetManagedRolesResponse resp;
    req.set_name(name);
    for (const auto& m : absl::GetFlag(FLAGS_manages)) req.add_managed_roles(m);
    if (!(st = admin->SetManagedRoles(&ctx, req, &resp)).ok()) return RpcFailure(st);
    return Print(resp.role());
  }
  if (verb == "grant" || verb == "revoke") {
    int code = 0;
    std::string user_id = ResolveUser(&code);
    if (user_id.empty()) return code;
    auto admin = Admin(&ctx);
    bool changed = false;
    if (verb == "grant") {
      v1::GrantUserRoleRequest req;
      v1::GrantUserRoleResponse resp;
      req.set_user_id(user_id);
      req.set_role(name);
      if (!(st = admin->GrantUserRole(&ctx, req, &resp)).ok()) return RpcFailure(st);
      changed = resp.changed();
    } else {
      v1::RevokeUserRoleRequest req;
      v1::RevokeUserRoleResponse resp;
      req.set_user_id(user_id);
      req.set_role(name);
      if (!(st = admin->RevokeUserRole(&ctx, req, &resp)).ok()) return RpcFailure(st);
      changed = resp.changed();
    }
    std::printf("{\"result\": \"%s\"}\n", changed ? "ok" : "no-op");
    return 0;
  }
  return Fail("unknown verb 'role " + verb + "'");
}

int MintCommand(const Args& args) {
  std::string client = absl::GetFlag(FLAGS_client);
  if (client.empty()) client = absl::GetFlag(FLAGS_client_id);
  if (client.empty()) return Fail("token mint needs --client");
  v1::MintTokenRequest req;
  if (!ParseTimestamp(absl::GetFlag(FLAGS_expires), req.mutable_expire_time())) {
    return Fail("token mint needs --expires as RFC 3339, e.g. 2999-01-01T00:00:00Z");
  }
  int code = 0;
  std::string user_id = ResolveUser(&code);
  if (user_id.empty()) return code;
  req.set_user_id(user_id);
  req.set_client_id(client);
  for (absl::string_view s : absl::StrSplit(absl::GetFlag(FLAGS_scope), ' ', absl::SkipEmpty())) {
    req.add_scopes(std::string(s));
  }
  grpc::ClientContext ctx;
  auto admin = Admin(&ctx);
  v1::MintTokenResponse resp;
  grpc::Status st = admin->MintToken(&ctx, req, &resp);
  if (!st.ok()) return RpcFailure(st);
  return Print(resp);
}

}  // namespace tokenctl
