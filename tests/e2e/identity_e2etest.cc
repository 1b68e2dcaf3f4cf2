// Blender ID's identity API (seed 002) against a real tokend over PostgreSQL:
// the badger sequence set up exactly as the seed's "Setting up BID API users"
// says (with tokenctl), over HTTP and over gRPC IdentityService, every
// refusal with its RFC 6750 answer, /api/me, /api/user/<id>, /api/badges,
// /api/authenticate, /api/create-user, and the audit rows of role changes.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <thread>

#include <pqxx/pqxx>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "gtest/gtest.h"
#include "services/common/basic_auth.h"
#include "services/common/form_codec.h"
#include "tests/testing/pg_harness.h"
#include "tests/testing/tokend_process.h"
#include "tests/unit/http_test_client.h"
#include "tokend/v1/identity.grpc.pb.h"
#include "tokend_client.h"

namespace tokend::testing {
namespace {

using client::ErrorFromStatus;

// Pulls "key": "value" out of tokenctl's JSON (enough for flat fields).
std::string Field(const std::string& json, const std::string& key) {
  std::string needle = "\"" + key + "\": \"";
  size_t at = json.find(needle);
  if (at == std::string::npos) return "";
  at += needle.size();
  return json.substr(at, json.find('"', at) - at);
}

uint16_t PortOf(const std::string& addr) {
  uint32_t port = 0;
  EXPECT_TRUE(absl::SimpleAtoi(addr.substr(addr.rfind(':') + 1), &port)) << addr;
  return static_cast<uint16_t>(port);
}

// The WWW-Authenticate header.
std::string Challenge(const HttpResponse& res) {
  return std::string(res[bhttp::field::www_authenticate]);
}

constexpr char kStoreEmail[] = "yourname+studio@yourdomain.com";
constexpr char kAliceEmail[] = "alice@example.test";

class IdentityE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dsn_ = new std::string(FreshDatabase("identity"));
    server_ = new TokendProcess({.database_url = *dsn_});
    ASSERT_TRUE(server_->Start());

    // "Make sure that the cloud_demo and cloud_subscriber roles exist, and
    // that they are badges. Add a role cloud_badger and allow it to manage
    // the above roles." (cloud_demo stays unmanaged here, for the refusal.)
    ASSERT_EQ(Ctl({"role", "create", "cloud_subscriber", "--badge", "--label=Blender Studio",
                   "--description=Subscriber of Blender Studio",
                   "--image_url=https://example.test/studio.png", "--image_width=64",
                   "--image_height=48", "--link=https://studio.example.test"})
                  .exit_code,
              0);
    ASSERT_EQ(Ctl({"role", "create", "cloud_has_subscription", "--badge"}).exit_code, 0);
    ASSERT_EQ(Ctl({"role", "create", "cloud_demo", "--badge"}).exit_code, 0);
    auto badger = Ctl({"role", "create", "cloud_badger"});
    ASSERT_EQ(badger.exit_code, 0) << badger.err;
    auto manage =
        Ctl({"role", "manage", "cloud_badger", "--manages=cloud_subscriber,cloud_has_subscription"});
    ASSERT_EQ(manage.exit_code, 0) << manage.err;

    // "Add an OAuth2 application for the API, name it 'Blender ID API' ...
    // 'Confidential' and 'Resource owner password-based'."
    v1::Client c;
    c.set_name("Blender ID API");
    c.set_client_type(v1::CLIENT_TYPE_CONFIDENTIAL);
    c.add_grant_types("password");
    c.add_grant_types("refresh_token");
    for (const char* s : {"email", "badge", "badger", "authenticate", "userinfo", "usercreate"}) {
      c.add_allowed_scopes(s);
    }
    c.set_max_user_sessions(0);
    *creds_ = server_->CreateClient(c);

    // "Add a user for Blender Studio ... Give the user the cloud_badger role."
    auto store = Ctl({"user", "create", "--username=studio", "--email=" + std::string(kStoreEmail),
                      "--full_name=Blender Studio", "--password=a-long-password-to-forget-0123456789"});
    ASSERT_EQ(store.exit_code, 0) << store.err;
    *store_id_ = Field(store.out, "id");
    auto grant = Ctl({"role", "grant", "cloud_badger", "--user=studio"});
    ASSERT_EQ(grant.exit_code, 0) << grant.err;
    EXPECT_EQ(grant.out, "{\"result\": \"ok\"}\n");

    // "Add an OAuth2 token to the Blender Studio user for the Blender ID API
    // application ... somewhere in the year 2999. Give it a scope badger."
    *store_token_ = Mint("badger");
    ASSERT_FALSE(store_token_->empty());

    *alice_id_ = server_->CreateUser("alice", "wonderland");  // alice@example.test
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  static CommandResult Ctl(std::vector<std::string> args) {
    return RunCommand(BinaryFromEnv("TOKENCTL_BIN"), args, server_->ClientEnv());
  }
  static std::string Mint(const std::string& scope) {
    auto minted = Ctl({"token", "mint", "--user", "studio", "--client", creds_->first, "--scope",
                       scope, "--expires", "2999-01-01T00:00:00Z"});
    EXPECT_EQ(minted.exit_code, 0) << minted.err;
    EXPECT_EQ(Field(minted.out, "expire_time"), "2999-01-01T00:00:00Z") << minted.out;
    return Field(minted.out, "access_token");
  }

  HttpResponse Call(HttpRequest req) {
    return HttpConnection(ioc_, PortOf(server_->http_addr())).Send(std::move(req));
  }
  static HttpRequest WithBearer(HttpRequest req, const std::string& token) {
    req.set(bhttp::field::authorization, "Bearer " + token);
    return req;
  }
  HttpResponse GetAs(const std::string& target, const std::string& token) {
    return Call(WithBearer(Get(target), token));
  }
  HttpResponse PostAs(const std::string& target, const std::string& token,
                      const std::string& body = "") {
    return Call(FormPost(target, body, "Bearer " + token, body.empty() ? "" : "application/x-www-form-urlencoded"));
  }
  // Alice logs in through the password grant (the client has no default
  // scopes: an empty request gets "email").
  std::string AliceToken(const std::string& scope = "") {
    std::string body = "grant_type=password&username=alice&password=wonderland";
    if (!scope.empty()) body += "&scope=" + form::Encode(scope);
    auto res = Call(FormPost("/oauth/token", body, basic_auth::Format(creds_->first, creds_->second)));
    EXPECT_EQ(res.result_int(), 200) << res.body();
    EXPECT_EQ(JsonString(res, "scope"), scope.empty() ? "email" : scope);
    return JsonString(res, "access_token");
  }
  static int64_t Count(const std::string& sql) {
    pqxx::connection c(*dsn_);
    pqxx::nontransaction tx(c);
    return tx.exec(sql)[0][0].as<int64_t>();
  }
  std::unique_ptr<v1::IdentityService::Stub> IdentityStub() {
    return v1::IdentityService::NewStub(
        grpc::CreateChannel(server_->grpc_addr(), server_->ChannelCredentials()));
  }
  static void Bearer(grpc::ClientContext* ctx, const std::string& token) {
    ctx->AddMetadata("authorization", "Bearer " + token);
  }

  static std::string* dsn_;
  static TokendProcess* server_;
  static std::pair<std::string, std::string>* creds_;
  static std::string* store_id_;
  static std::string* store_token_;
  static std::string* alice_id_;
  net::io_context ioc_;
};
std::string* IdentityE2eTest::dsn_ = nullptr;
TokendProcess* IdentityE2eTest::server_ = nullptr;
std::pair<std::string, std::string>* IdentityE2eTest::creds_ = new std::pair<std::string, std::string>;
std::string* IdentityE2eTest::store_id_ = new std::string;
std::string* IdentityE2eTest::store_token_ = new std::string;
std::string* IdentityE2eTest::alice_id_ = new std::string;

TEST_F(IdentityE2eTest, BadgerSequenceOverHttp) {
  const std::string grant = "/api/badger/grant/cloud_subscriber/" + form::Encode(kAliceEmail);
  const std::string revoke = "/api/badger/revoke/cloud_subscriber/" + form::Encode(kAliceEmail);
  auto res = PostAs(grant, *store_token_);
  ASSERT_EQ(res.result_int(), 200) << res.body();
  EXPECT_EQ(res.body(), "{\"result\":\"ok\"}");
  EXPECT_EQ(res[bhttp::field::cache_control], "no-store");
  res = PostAs(grant, *store_token_);
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "{\"result\":\"no-op\"}");

  // Alice sees the badge with her own badge-scoped token.
  std::string alice = AliceToken("email badge");
  res = GetAs("/api/badges/" + *alice_id_, alice);
  ASSERT_EQ(res.result_int(), 200) << res.body();
  auto doc = ParseJson(res.body());
  EXPECT_EQ(doc.fields().at("user_id").string_value(), *alice_id_);
  const auto& badges = doc.fields().at("badges").struct_value().fields();
  ASSERT_EQ(badges.size(), 1u) << res.body();
  const auto& badge = badges.at("cloud_subscriber").struct_value().fields();
  EXPECT_EQ(badge.at("label").string_value(), "Blender Studio");
  EXPECT_EQ(badge.at("description").string_value(), "Subscriber of Blender Studio");
  EXPECT_EQ(badge.at("image").string_value(), "https://example.test/studio.png");
  EXPECT_EQ(badge.at("image_width").number_value(), 64);
  EXPECT_EQ(badge.at("image_height").number_value(), 48);
  EXPECT_EQ(badge.at("link").string_value(), "https://studio.example.test");

  res = PostAs(revoke, *store_token_);
  EXPECT_EQ(res.body(), "{\"result\":\"ok\"}");
  res = PostAs(revoke, *store_token_);
  EXPECT_EQ(res.body(), "{\"result\":\"no-op\"}");
  res = GetAs("/api/badges/" + *alice_id_, alice);
  EXPECT_EQ(ParseJson(res.body()).fields().at("badges").struct_value().fields_size(), 0)
      << res.body();

  // The email in the path keeps its '+' (the seed's own address).
  res = PostAs("/api/badger/grant/cloud_has_subscription/yourname+studio%40yourdomain.com",
               *store_token_);
  EXPECT_EQ(res.body(), "{\"result\":\"ok\"}") << res.body();
  res = PostAs("/api/badger/revoke/cloud_has_subscription/" + std::string(kStoreEmail),
               *store_token_);
  EXPECT_EQ(res.body(), "{\"result\":\"ok\"}") << res.body();

  // Every change is audited, naming the role and who made it.
  EXPECT_EQ(Count("SELECT count(*) FROM audit_events WHERE event = 'role_granted' AND user_id = '" +
                  *alice_id_ + "' AND client_id = '" + creds_->first +
                  "' AND detail = 'role=cloud_subscriber by=user:" + *store_id_ + "'"),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_events WHERE event = 'role_revoked' AND user_id = '" +
                  *alice_id_ + "'"),
            1);
}

TEST_F(IdentityE2eTest, BadgerRefusals) {
  // A badge cloud_badger does not manage.
  auto res = PostAs("/api/badger/grant/cloud_demo/" + std::string(kAliceEmail), *store_token_);
  EXPECT_EQ(res.result_int(), 403) << res.body();
  EXPECT_EQ(JsonString(res, "error"), "access_denied");
  // A role that is not a badge (even one it could hold).
  res = PostAs("/api/badger/grant/cloud_badger/" + std::string(kAliceEmail), *store_token_);
  EXPECT_EQ(res.result_int(), 403);
  // No user has that email.
  res = PostAs("/api/badger/grant/cloud_subscriber/nobody%40example.test", *store_token_);
  EXPECT_EQ(res.result_int(), 422) << res.body();
  EXPECT_EQ(JsonString(res, "error"), "unknown_user");
  // Alice's token has no badger scope.
  res = PostAs("/api/badger/grant/cloud_subscriber/" + std::string(kAliceEmail), AliceToken());
  EXPECT_EQ(res.result_int(), 403);
  EXPECT_EQ(JsonString(res, "error"), "insufficient_scope");
  EXPECT_TRUE(absl::StrContains(Challenge(res), "scope=\"badger\""))
      << Challenge(res);
  // A deactivated managed badge cannot be granted.
  ASSERT_EQ(Ctl({"role", "update", "cloud_has_subscription", "--active=false"}).exit_code, 0);
  res = PostAs("/api/badger/grant/cloud_has_subscription/" + std::string(kAliceEmail), *store_token_);
  EXPECT_EQ(res.result_int(), 403);
  ASSERT_EQ(Ctl({"role", "update", "cloud_has_subscription", "--active", "--update_mask=is_active"})
                .exit_code,
            0);
  // A malformed path is no endpoint.
  EXPECT_EQ(PostAs("/api/badger/grant/cloud_subscriber", *store_token_).result_int(), 404);
  EXPECT_EQ(Count("SELECT count(*) FROM user_roles WHERE user_id = '" + *alice_id_ + "'"), 0);
}

TEST_F(IdentityE2eTest, MeAndUserInfo) {
  ASSERT_EQ(Ctl({"user", "update", *alice_id_, "--full_name=Alice Liddell", "--nickname=alice",
                 "--avatar_url=https://example.test/alice.png",
                 "--confirmed_email_at=2024-01-02T03:04:05Z"})
                .exit_code,
            0);
  ASSERT_EQ(Ctl({"role", "grant", "cloud_demo", "--user=" + *alice_id_}).exit_code, 0);
  std::string alice = AliceToken();  // default scope: email
  for (const char* path : {"/api/me", "/api/user"}) {
    auto res = GetAs(path, alice);
    ASSERT_EQ(res.result_int(), 200) << path << res.body();
    auto me = ParseJson(res.body()).fields();
    EXPECT_EQ(me.size(), 8u) << res.body();
    EXPECT_EQ(me.at("id").string_value(), *alice_id_);
    EXPECT_EQ(me.at("full_name").string_value(), "Alice Liddell");
    EXPECT_EQ(me.at("email").string_value(), kAliceEmail);
    EXPECT_EQ(me.at("nickname").string_value(), "alice");
    const auto& roles = me.at("roles").struct_value().fields();
    ASSERT_EQ(roles.size(), 1u) << res.body();
    EXPECT_TRUE(roles.at("cloud_demo").bool_value());
    EXPECT_EQ(me.at("date_deletion_requested").kind_case(), google::protobuf::Value::kNullValue);
    EXPECT_EQ(me.at("confirmed_email_at").string_value(), "2024-01-02T03:04:05Z");
    EXPECT_EQ(me.at("avatar_url").string_value(), "https://example.test/alice.png");
  }
  ASSERT_EQ(Ctl({"role", "revoke", "cloud_demo", "--user=alice"}).exit_code, 0);
  EXPECT_EQ(ParseJson(GetAs("/api/me", alice).body()).fields().at("roles").struct_value().fields_size(), 0);

  // Another user's info needs userinfo.
  auto res = GetAs("/api/user/" + *store_id_, alice);
  EXPECT_EQ(res.result_int(), 403);
  EXPECT_EQ(JsonString(res, "error"), "insufficient_scope");
  std::string challenge = Challenge(res);
  EXPECT_TRUE(absl::StartsWith(challenge, "Bearer realm=\"tokend\", error=\"insufficient_scope\""))
      << challenge;
  EXPECT_TRUE(absl::StrContains(challenge, "scope=\"userinfo\"")) << challenge;

  std::string cloud = Mint("userinfo");
  res = GetAs("/api/user/" + *alice_id_, cloud);
  ASSERT_EQ(res.result_int(), 200) << res.body();
  EXPECT_EQ(JsonString(res, "email"), kAliceEmail);
  EXPECT_EQ(GetAs("/api/user/no-such-user", cloud).result_int(), 404);
  // The system account's own token has no email scope.
  EXPECT_EQ(GetAs("/api/me", cloud).result_int(), 403);
}

TEST_F(IdentityE2eTest, BearerRefusals) {
  auto res = Call(Get("/api/me"));
  EXPECT_EQ(res.result_int(), 401);
  EXPECT_EQ(res[bhttp::field::www_authenticate], "Bearer realm=\"tokend\"");  // no error attribute

  res = GetAs("/api/me", "garbage");
  EXPECT_EQ(res.result_int(), 401);
  EXPECT_TRUE(absl::StartsWith(Challenge(res),
                               "Bearer realm=\"tokend\", error=\"invalid_token\""))
      << Challenge(res);
  EXPECT_EQ(JsonString(res, "error"), "invalid_token");

  res = Call(FormPost("/api/authenticate", "email=a&password=b", "Bearer a b"));
  EXPECT_EQ(res.result_int(), 400);  // a malformed Bearer credential

  // A revoked token.
  std::string alice = AliceToken("email badge");
  EXPECT_EQ(GetAs("/api/me", alice).result_int(), 200);
  res = Call(FormPost("/oauth/revoke", "token=" + alice, basic_auth::Format(creds_->first, creds_->second)));
  ASSERT_EQ(res.result_int(), 200);
  res = GetAs("/api/me", alice);
  EXPECT_EQ(res.result_int(), 401);
  EXPECT_TRUE(absl::StrContains(Challenge(res), "error=\"invalid_token\""));

  // Badges of another user, even with the badge scope.
  alice = AliceToken("email badge");
  res = GetAs("/api/badges/" + *store_id_, alice);
  EXPECT_EQ(res.result_int(), 403);
  EXPECT_EQ(JsonString(res, "error"), "access_denied");
  // Badges without the badge scope.
  res = GetAs("/api/badges/" + *alice_id_, AliceToken("email"));
  EXPECT_EQ(res.result_int(), 403);
  EXPECT_EQ(JsonString(res, "error"), "insufficient_scope");
  // A known path with another method.
  EXPECT_EQ(Call(FormPost("/api/me", "x=1", "Bearer " + alice)).result_int(), 405);
}

TEST_F(IdentityE2eTest, AuthenticateAndCreateUser) {
  std::string store = Mint("authenticate usercreate");
  auto res = PostAs("/api/authenticate", store, "email=alice%40example.test&password=wonderland");
  ASSERT_EQ(res.result_int(), 200) << res.body();
  EXPECT_EQ(JsonString(res, "user_id"), *alice_id_);
  EXPECT_EQ(JsonString(res, "email"), kAliceEmail);
  EXPECT_EQ(ParseJson(res.body()).fields().count("full_name"), 1u);

  res = PostAs("/api/authenticate", store, "email=ALICE%40example.test&password=wrong");
  EXPECT_EQ(res.result_int(), 403);
  EXPECT_EQ(JsonString(res, "error"), "badpw");
  res = PostAs("/api/authenticate", store, "email=nobody%40example.test&password=wonderland");
  EXPECT_EQ(res.result_int(), 403);
  EXPECT_EQ(JsonString(res, "error"), "badpw");
  EXPECT_EQ(PostAs("/api/authenticate", store, "email=alice%40example.test").result_int(), 400);
  EXPECT_EQ(PostAs("/api/authenticate", store).result_int(), 400);
  // The badger-only token may not authenticate.
  res = PostAs("/api/authenticate", *store_token_, "email=alice%40example.test&password=wonderland");
  EXPECT_EQ(res.result_int(), 403);
  EXPECT_EQ(JsonString(res, "error"), "insufficient_scope");

  res = PostAs("/api/create-user", store,
               "email=new%2Buser%40example.test&full_name=New+User&password=s3cret-pass&nickname=newbie");
  ASSERT_EQ(res.result_int(), 201) << res.body();
  std::string id = JsonString(res, "user_id");
  EXPECT_FALSE(id.empty());
  res = PostAs("/api/create-user", store,
               "email=NEW%2Buser%40example.test&full_name=Again&password=whatever");
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_EQ(JsonString(res, "error"), "exists");
  EXPECT_EQ(PostAs("/api/create-user", store, "email=x%40example.test&full_name=X").result_int(), 400);
  res = PostAs("/api/create-user", store, "email=not-an-address&full_name=X&password=p");
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_EQ(JsonString(res, "error"), "invalid_request");

  res = PostAs("/api/authenticate", store, "email=new%2Buser%40example.test&password=s3cret-pass");
  EXPECT_EQ(res.result_int(), 200) << res.body();
  EXPECT_EQ(JsonString(res, "user_id"), id);
  // The password is stored only as an Argon2id hash.
  EXPECT_EQ(Count("SELECT count(*) FROM users WHERE id = '" + id +
                  "' AND password_hash LIKE '$argon2id$%' AND nickname = 'newbie'"),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM users u WHERE u::text LIKE '%s3cret-pass%'"), 0);
}

// /api/authenticate checks passwords for an application: guessing through it
// meets the same throttle as the password grant (per account; 5 free
// failures by default, then 1 s, 2 s … of waiting).
TEST_F(IdentityE2eTest, AuthenticateSlowsPasswordGuessing) {
  std::string store = Mint("authenticate usercreate");
  auto res = PostAs("/api/create-user", store,
                    "email=guessed%40example.test&full_name=Guessed&password=right-pass-1");
  ASSERT_EQ(res.result_int(), 201) << res.body();
  for (int i = 0; i < 5; ++i) {
    res = PostAs("/api/authenticate", store, "email=guessed%40example.test&password=wrong");
    ASSERT_EQ(res.result_int(), 403) << i << " " << res.body();
    EXPECT_EQ(JsonString(res, "error"), "badpw");
  }
  // The fifth failure began a wait: even the right password is refused now.
  res = PostAs("/api/authenticate", store, "email=guessed%40example.test&password=right-pass-1");
  EXPECT_EQ(res.result_int(), 429) << res.body();
  EXPECT_EQ(JsonString(res, "error"), "rate_limited");
  int seconds = 0;
  ASSERT_TRUE(absl::SimpleAtoi(std::string(res[bhttp::field::retry_after]), &seconds));
  EXPECT_GE(seconds, 1);
  EXPECT_LE(seconds, 2);
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  res = PostAs("/api/authenticate", store, "email=guessed%40example.test&password=right-pass-1");
  EXPECT_EQ(res.result_int(), 200) << res.body();
  // Another account was never slowed.
  res = PostAs("/api/authenticate", store, "email=alice%40example.test&password=wonderland");
  EXPECT_EQ(res.result_int(), 200) << res.body();
}

TEST_F(IdentityE2eTest, TheSameOverGrpcIdentityService) {
  auto stub = IdentityStub();
  auto grant = [&](const std::string& token, const std::string& role, const std::string& email,
                   v1::BadgerGrantRoleResponse* resp) {
    grpc::ClientContext ctx;
    Bearer(&ctx, token);
    v1::BadgerGrantRoleRequest req;
    req.set_role(role);
    req.set_email(email);
    return stub->BadgerGrantRole(&ctx, req, resp);
  };
  v1::BadgerGrantRoleResponse granted;
  ASSERT_TRUE(grant(*store_token_, "cloud_has_subscription", kAliceEmail, &granted).ok());
  EXPECT_TRUE(granted.changed());
  ASSERT_TRUE(grant(*store_token_, "cloud_has_subscription", kAliceEmail, &granted).ok());
  EXPECT_FALSE(granted.changed());  // no-op

  std::string alice = AliceToken("email badge");
  {
    grpc::ClientContext ctx;
    Bearer(&ctx, alice);
    v1::ListUserBadgesRequest req;
    req.set_user_id(*alice_id_);
    v1::ListUserBadgesResponse resp;
    ASSERT_TRUE(stub->ListUserBadges(&ctx, req, &resp).ok());
    ASSERT_EQ(resp.badges_size(), 1);
    EXPECT_EQ(resp.badges(0).name(), "cloud_has_subscription");
  }
  {
    grpc::ClientContext ctx;
    Bearer(&ctx, alice);
    v1::GetCurrentUserResponse resp;
    ASSERT_TRUE(stub->GetCurrentUser(&ctx, v1::GetCurrentUserRequest(), &resp).ok());
    EXPECT_EQ(resp.user().id(), *alice_id_);
    EXPECT_EQ(resp.user().email(), kAliceEmail);
    ASSERT_EQ(resp.user().roles_size(), 1);
    EXPECT_EQ(resp.user().roles(0), "cloud_has_subscription");
  }
  {
    grpc::ClientContext ctx;
    Bearer(&ctx, *store_token_);
    v1::BadgerRevokeRoleRequest req;
    req.set_role("cloud_has_subscription");
    req.set_email(kAliceEmail);
    v1::BadgerRevokeRoleResponse resp;
    ASSERT_TRUE(stub->BadgerRevokeRole(&ctx, req, &resp).ok());
    EXPECT_TRUE(resp.changed());
  }

  grpc::Status st = grant(*store_token_, "cloud_demo", kAliceEmail, &granted);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ErrorFromStatus(st).error, "access_denied");
  st = grant(*store_token_, "cloud_subscriber", "nobody@example.test", &granted);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ErrorFromStatus(st).error, "unknown_user");
  st = grant(alice, "cloud_subscriber", kAliceEmail, &granted);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ErrorFromStatus(st).error, "insufficient_scope");
  st = grant("garbage", "cloud_subscriber", kAliceEmail, &granted);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ErrorFromStatus(st).error, "invalid_token");
  {
    grpc::ClientContext ctx;  // no token at all
    v1::GetCurrentUserResponse resp;
    st = stub->GetCurrentUser(&ctx, v1::GetCurrentUserRequest(), &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }

  std::string store = Mint("authenticate usercreate userinfo");
  {
    grpc::ClientContext ctx;
    Bearer(&ctx, store);
    v1::AuthenticateUserRequest req;
    req.set_email(kAliceEmail);
    req.set_password("wrong");
    v1::AuthenticateUserResponse resp;
    st = stub->AuthenticateUser(&ctx, req, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(ErrorFromStatus(st).error, "badpw");
  }
  std::string new_id;
  {
    grpc::ClientContext ctx;
    Bearer(&ctx, store);
    v1::RegisterUserRequest req;
    req.set_email("grpc-user@example.test");
    req.set_full_name("Grpc User");
    req.set_password("grpc-pass");
    v1::RegisterUserResponse resp;
    ASSERT_TRUE(stub->RegisterUser(&ctx, req, &resp).ok());
    new_id = resp.user_id();
  }
  {
    grpc::ClientContext ctx;
    Bearer(&ctx, store);
    v1::AuthenticateUserRequest req;
    req.set_email("grpc-user@example.test");
    req.set_password("grpc-pass");
    v1::AuthenticateUserResponse resp;
    ASSERT_TRUE(stub->AuthenticateUser(&ctx, req, &resp).ok());
    EXPECT_EQ(resp.user_id(), new_id);
    EXPECT_EQ(resp.full_name(), "Grpc User");
  }
  {
    grpc::ClientContext ctx;
    Bearer(&ctx, store);
    v1::GetUserInfoRequest req;
    req.set_user_id(new_id);
    v1::GetUserInfoResponse resp;
    ASSERT_TRUE(stub->GetUserInfo(&ctx, req, &resp).ok());
    EXPECT_EQ(resp.user().email(), "grpc-user@example.test");
  }
  {
    grpc::ClientContext ctx;
    Bearer(&ctx, alice);
    v1::GetUserInfoRequest req;
    req.set_user_id(new_id);
    v1::GetUserInfoResponse resp;
    st = stub->GetUserInfo(&ctx, req, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(ErrorFromStatus(st).error, "insufficient_scope");
  }
}

TEST_F(IdentityE2eTest, AdminRolesAndMintedTokens) {
  auto roles = Ctl({"role", "list"});
  ASSERT_EQ(roles.exit_code, 0) << roles.err;
  EXPECT_TRUE(absl::StrContains(roles.out, "\"cloud_badger\"")) << roles.out;
  auto got = Ctl({"role", "get", "cloud_badger"});
  EXPECT_TRUE(absl::StrContains(got.out, "\"cloud_subscriber\"")) << got.out;
  auto held = Ctl({"role", "user-roles", "--user=studio"});
  ASSERT_EQ(held.exit_code, 0) << held.err;
  EXPECT_TRUE(absl::StrContains(held.out, "cloud_badger")) << held.out;
  EXPECT_EQ(Count("SELECT count(*) FROM audit_events WHERE event = 'role_granted' AND user_id = '" +
                  *store_id_ + "' AND detail = 'role=cloud_badger by=admin'"),
            1);

  // Refusals: unknown role, unknown user, a past expiry, a scope the client
  // may not ask for.
  EXPECT_NE(Ctl({"role", "grant", "no_such_role", "--user=studio"}).exit_code, 0);
  EXPECT_NE(Ctl({"role", "grant", "cloud_demo", "--user=nobody"}).exit_code, 0);
  EXPECT_NE(Ctl({"role", "manage", "cloud_badger", "--manages=no_such_role"}).exit_code, 0);
  EXPECT_NE(Ctl({"role", "create", "bad name"}).exit_code, 0);
  auto past = Ctl({"token", "mint", "--user=studio", "--client=" + creds_->first, "--scope=badger",
                   "--expires=2001-01-01T00:00:00Z"});
  EXPECT_NE(past.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(past.err, "expires_at")) << past.err;
  auto wide = Ctl({"token", "mint", "--user=studio", "--client=" + creds_->first, "--scope=admin",
                   "--expires=2999-01-01T00:00:00Z"});
  EXPECT_NE(wide.exit_code, 0);

  // The minted token: introspected as the store user's, expiring in 2999,
  // stored only as a digest.
  std::string token = Mint("badger");
  auto res = Call(FormPost("/oauth/introspect", "token=" + token,
                           basic_auth::Format(creds_->first, creds_->second)));
  ASSERT_EQ(res.result_int(), 200) << res.body();
  auto info = ParseJson(res.body());
  EXPECT_TRUE(info.fields().at("active").bool_value());
  EXPECT_EQ(info.fields().at("sub").string_value(), *store_id_);
  EXPECT_EQ(info.fields().at("username").string_value(), "studio");
  EXPECT_EQ(info.fields().at("scope").string_value(), "badger");
  EXPECT_EQ(info.fields().at("exp").number_value(), 32472144000.0);  // 2999-01-01T00:00:00Z
  EXPECT_EQ(Count("SELECT count(*) FROM tokens t WHERE t::text LIKE '%" + token + "%'"), 0);
}

}  // namespace
}  // namespace tokend::testing
