// tokend as a process, driven over real sockets with the generated C++ stubs.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <thread>

#include "gtest/gtest.h"
#include "tests/testing/pg_harness.h"
#include "tests/testing/tokend_process.h"
#include "tokend_client.h"

namespace tokend::testing {
namespace {

using client::AddClientAuth;
using client::ErrorFromStatus;

class GrpcE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new TokendProcess({.database_url = FreshDatabase("e2e")});
    ASSERT_TRUE(server_->Start());
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  std::pair<std::string, std::string> NewClient(int max_sessions = 2) {
    v1::Client c;
    c.set_name("e2e");
    c.add_grant_types("client_credentials");
    c.add_grant_types("password");
    c.add_allowed_scopes("read");
    c.add_allowed_scopes("write");
    c.add_default_scopes("read");
    c.set_max_user_sessions(max_sessions);
    return server_->CreateClient(c);
  }

  grpc::Status Issue(const std::pair<std::string, std::string>& creds, v1::IssueTokenRequest req,
                     v1::IssueTokenResponse* resp) {
    grpc::ClientContext ctx;
    AddClientAuth(&ctx, creds.first, creds.second);
    return stub_->IssueToken(&ctx, req, resp);
  }
  v1::IssueTokenRequest ClientCredentials() {
    v1::IssueTokenRequest req;
    req.mutable_client_credentials();
    return req;
  }
  v1::IssueTokenRequest Password(const std::string& u, const std::string& p) {
    v1::IssueTokenRequest req;
    req.mutable_password()->set_username(u);
    req.mutable_password()->set_password(p);
    return req;
  }
  v1::IntrospectResponse Introspect(const std::pair<std::string, std::string>& creds,
                                    const std::string& token) {
    grpc::ClientContext ctx;
    AddClientAuth(&ctx, creds.first, creds.second);
    v1::IntrospectRequest req;
    req.set_token(token);
    v1::IntrospectResponse resp;
    grpc::Status st = stub_->Introspect(&ctx, req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp;
  }

  static TokendProcess* server_;
  std::unique_ptr<v1::TokenService::Stub> stub_ = server_->TokenStub();
};
TokendProcess* GrpcE2eTest::server_ = nullptr;

TEST_F(GrpcE2eTest, IssueIntrospectRevoke) {
  auto creds = NewClient();
  v1::IssueTokenResponse t;
  ASSERT_TRUE(Issue(creds, ClientCredentials(), &t).ok());
  EXPECT_EQ(t.token_type(), "Bearer");
  EXPECT_EQ(t.expires_in(), 7200);
  EXPECT_EQ(t.scope(), "read");
  EXPECT_TRUE(t.refresh_token().empty());
  EXPECT_GT(t.issued_at().seconds(), 0);
  v1::IntrospectResponse info = Introspect(creds, t.access_token());
  EXPECT_TRUE(info.active());
  EXPECT_EQ(info.client_id(), creds.first);
  EXPECT_EQ(info.token_type(), "Bearer");
  EXPECT_FALSE(info.jti().empty());
  EXPECT_EQ(info.exp() - info.iat(), 7200);

  grpc::ClientContext ctx;
  AddClientAuth(&ctx, creds.first, creds.second);
  v1::RevokeRequest rr;
  rr.set_token(t.access_token());
  v1::RevokeResponse rresp;
  ASSERT_TRUE(stub_->Revoke(&ctx, rr, &rresp).ok());
  v1::IntrospectResponse after = Introspect(creds, t.access_token());
  EXPECT_FALSE(after.active());
  EXPECT_TRUE(after.client_id().empty());  // inactive answers carry nothing else
}

TEST_F(GrpcE2eTest, CredentialsInTheRequestWorkToo) {
  auto creds = NewClient();
  v1::IssueTokenRequest req = ClientCredentials();
  req.mutable_credentials()->set_client_id(creds.first);
  req.mutable_credentials()->set_client_secret(creds.second);
  grpc::ClientContext ctx;
  v1::IssueTokenResponse resp;
  EXPECT_TRUE(stub_->IssueToken(&ctx, req, &resp).ok());
  // Both methods at once is invalid_request.
  v1::IssueTokenResponse again;
  grpc::Status st = Issue(creds, req, &again);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ErrorFromStatus(st).error, "invalid_request");
}

TEST_F(GrpcE2eTest, ErrorsCarryTheExactOAuthCode) {
  auto creds = NewClient();
  v1::IssueTokenResponse resp;
  struct Case {
    const char* name;
    std::pair<std::string, std::string> creds;
    v1::IssueTokenRequest req;
    grpc::StatusCode code;
    const char* error;
  };
  v1::IssueTokenRequest no_grant;
  v1::IssueTokenRequest bad_scope = ClientCredentials();
  bad_scope.add_scopes("admin");
  v1::IssueTokenRequest big = Password(std::string(5000, 'u'), "x");
  v1::IssueTokenRequest code_grant;
  code_grant.mutable_authorization_code()->set_code("c");
  v1::IssueTokenRequest empty_password = Password("", "");
  for (const Case& c : std::vector<Case>{
           {"wrong secret", {creds.first, "wrong"}, ClientCredentials(), grpc::StatusCode::UNAUTHENTICATED, "invalid_client"},
           {"unknown client", {"nobody", "x"}, ClientCredentials(), grpc::StatusCode::UNAUTHENTICATED, "invalid_client"},
           {"no credentials", {"", ""}, ClientCredentials(), grpc::StatusCode::UNAUTHENTICATED, "invalid_client"},
           {"missing grant", creds, no_grant, grpc::StatusCode::INVALID_ARGUMENT, "invalid_request"},
           {"scope not allowed", creds, bad_scope, grpc::StatusCode::INVALID_ARGUMENT, "invalid_scope"},
           {"field over 4 KiB", creds, big, grpc::StatusCode::INVALID_ARGUMENT, "invalid_request"},
           {"missing username", creds, empty_password, grpc::StatusCode::INVALID_ARGUMENT, "invalid_request"},
           {"wrong password", creds, Password("nobody", "x"), grpc::StatusCode::FAILED_PRECONDITION, "invalid_grant"},
           {"code grant not allowed", creds, code_grant, grpc::StatusCode::PERMISSION_DENIED, "unauthorized_client"},
       }) {
    grpc::Status st;
    if (c.creds.first.empty()) {
      grpc::ClientContext ctx;
      st = stub_->IssueToken(&ctx, c.req, &resp);
    } else {
      st = Issue(c.creds, c.req, &resp);
    }
    EXPECT_EQ(st.error_code(), c.code) << c.name;
    auto e = ErrorFromStatus(st);
    EXPECT_EQ(e.error, c.error) << c.name;
    EXPECT_FALSE(e.description.empty()) << c.name;
  }
}

TEST_F(GrpcE2eTest, JwtFormatAnswersARealJwt) {
  auto creds = NewClient();
  v1::IssueTokenRequest req = ClientCredentials();
  req.set_token_format(v1::TOKEN_FORMAT_JWT);
  v1::IssueTokenResponse t;
  grpc::Status st = Issue(creds, req, &t);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(t.token_type(), "Bearer");
  EXPECT_EQ(t.expires_in(), 7200);
  EXPECT_EQ(t.scope(), "read");
  ASSERT_EQ(std::count(t.access_token().begin(), t.access_token().end(), '.'), 2) << t.access_token();
  EXPECT_EQ(t.access_token().substr(0, 3), "eyJ");  // a base64url JSON header
  v1::IntrospectResponse info = Introspect(creds, t.access_token());
  EXPECT_TRUE(info.active());
  EXPECT_EQ(info.client_id(), creds.first);
  EXPECT_EQ(info.sub(), creds.first);
  EXPECT_EQ(info.exp() - info.iat(), 7200);
  EXPECT_FALSE(info.jti().empty());
}

TEST_F(GrpcE2eTest, GrantNotAllowedIsUnauthorizedClient) {
  v1::Client c;
  c.add_grant_types("client_credentials");
  auto creds = server_->CreateClient(c);
  v1::IssueTokenResponse resp;
  grpc::Status st = Issue(creds, Password("x", "y"), &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ErrorFromStatus(st).error, "unauthorized_client");
}

TEST_F(GrpcE2eTest, GarbageAndForeignTokens) {
  auto a = NewClient();
  auto b = NewClient();
  v1::IssueTokenResponse t;
  ASSERT_TRUE(Issue(a, ClientCredentials(), &t).ok());
  for (std::string garbage : {std::string(""), std::string("tda_x"), std::string(4096, 'A'),
                              std::string("\x00\x01 \xC3\xBC\xE2\x82\xAC", 8)}) {  // proto3 strings must be UTF-8
    grpc::ClientContext ctx;
    AddClientAuth(&ctx, a.first, a.second);
    v1::IntrospectRequest req;
    req.set_token(garbage);
    v1::IntrospectResponse resp;
    grpc::Status st = stub_->Introspect(&ctx, req, &resp);
    if (garbage.empty()) {
      EXPECT_EQ(ErrorFromStatus(st).error, "invalid_request");
    } else {
      EXPECT_TRUE(st.ok());
      EXPECT_FALSE(resp.active());
    }
  }
  {
    grpc::ClientContext ctx;
    AddClientAuth(&ctx, a.first, a.second);
    v1::IntrospectRequest req;
    req.set_token(std::string(5000, 'A'));
    v1::IntrospectResponse resp;
    EXPECT_EQ(ErrorFromStatus(stub_->Introspect(&ctx, req, &resp)).error, "invalid_request");
  }
  EXPECT_FALSE(Introspect(b, t.access_token()).active());  // not b's token
  grpc::ClientContext ctx;
  AddClientAuth(&ctx, b.first, b.second);
  v1::RevokeRequest rr;
  rr.set_token(t.access_token());
  v1::RevokeResponse rresp;
  grpc::Status st = stub_->Revoke(&ctx, rr, &rresp);
  EXPECT_EQ(ErrorFromStatus(st).error, "unauthorized_client");
  EXPECT_TRUE(Introspect(a, t.access_token()).active());  // unchanged
}

TEST_F(GrpcE2eTest, RefreshRaceAndSessionLimitOverTheWire) {
  auto creds = NewClient();
  server_->CreateUser("wire-user", "pw");
  v1::IssueTokenResponse s1, s2, s3;
  ASSERT_TRUE(Issue(creds, Password("wire-user", "pw"), &s1).ok());
  ASSERT_TRUE(Issue(creds, Password("wire-user", "pw"), &s2).ok());
  ASSERT_TRUE(Issue(creds, Password("wire-user", "pw"), &s3).ok());
  EXPECT_FALSE(Introspect(creds, s1.access_token()).active());
  EXPECT_TRUE(Introspect(creds, s2.access_token()).active());
  EXPECT_TRUE(Introspect(creds, s3.access_token()).active());
  EXPECT_EQ(Introspect(creds, s3.access_token()).username(), "wire-user");

  std::atomic<int> wins{0}, invalid_grant{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&] {
      auto stub = server_->TokenStub();
      grpc::ClientContext ctx;
      AddClientAuth(&ctx, creds.first, creds.second);
      v1::RefreshRequest req;
      req.set_refresh_token(s3.refresh_token());
      v1::RefreshResponse resp;
      grpc::Status st = stub->Refresh(&ctx, req, &resp);
      if (st.ok()) ++wins;
      if (ErrorFromStatus(st).error == "invalid_grant") ++invalid_grant;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wins.load(), 1);
  EXPECT_EQ(invalid_grant.load(), 15);
  EXPECT_FALSE(Introspect(creds, s3.access_token()).active());
}

TEST_F(GrpcE2eTest, AdminNeedsTheKey) {
  auto admin = server_->AdminStub();
  v1::ListClientsRequest req;
  v1::ListClientsResponse resp;
  {
    grpc::ClientContext ctx;
    EXPECT_EQ(admin->ListClients(&ctx, req, &resp).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  {
    grpc::ClientContext ctx;
    client::AddAdminKey(&ctx, server_->admin_key() + "x");
    EXPECT_EQ(admin->ListClients(&ctx, req, &resp).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  // The admin service is not on the public listener.
  auto wrong = v1::AdminService::NewStub(
      grpc::CreateChannel(server_->grpc_addr(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  client::AddAdminKey(&ctx, server_->admin_key());
  EXPECT_EQ(wrong->ListClients(&ctx, req, &resp).error_code(), grpc::StatusCode::UNIMPLEMENTED);
}

TEST_F(GrpcE2eTest, AdminValidatesAndUpdatesWithMasks) {
  auto admin = server_->AdminStub();
  v1::Client bad;
  bad.add_grant_types("implicit");
  {
    grpc::ClientContext ctx;
    client::AddAdminKey(&ctx, server_->admin_key());
    v1::CreateClientRequest req;
    *req.mutable_client() = bad;
    v1::CreateClientResponse resp;
    grpc::Status st = admin->CreateClient(&ctx, req, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(st.error_message().find("grant_types"), std::string::npos);
  }
  auto creds = NewClient();
  grpc::ClientContext ctx;
  client::AddAdminKey(&ctx, server_->admin_key());
  v1::UpdateClientRequest req;
  req.mutable_client()->set_client_id(creds.first);
  req.mutable_client()->set_name("renamed");
  req.mutable_client()->set_access_token_ttl_seconds(60);
  req.mutable_update_mask()->add_paths("name");
  v1::UpdateClientResponse resp;
  ASSERT_TRUE(admin->UpdateClient(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.client().name(), "renamed");
  EXPECT_EQ(resp.client().access_token_ttl_seconds(), 7200);  // not in the mask
}

TEST_F(GrpcE2eTest, HealthAndReflectionOnBothListeners) {
  for (const std::string& addr : {server_->grpc_addr(), server_->admin_addr()}) {
    auto channel = grpc::CreateChannel(addr, grpc::InsecureChannelCredentials());
    grpc::GenericStub stub(channel);
    // Reflection: list services through the v1alpha stream; enough to see it answers.
    grpc::ClientContext ctx;
    grpc::CompletionQueue cq;
    auto call = stub.PrepareCall(&ctx, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
    call->StartCall(reinterpret_cast<void*>(1));
    void* tag;
    bool ok;
    ASSERT_TRUE(cq.Next(&tag, &ok));
    EXPECT_TRUE(ok) << addr;
    call->WritesDone(reinterpret_cast<void*>(2));
    cq.Next(&tag, &ok);
    grpc::Status st;
    call->Finish(&st, reinterpret_cast<void*>(3));
    while (cq.Next(&tag, &ok) && tag != reinterpret_cast<void*>(3)) {}
    EXPECT_NE(st.error_code(), grpc::StatusCode::UNIMPLEMENTED) << addr;
    cq.Shutdown();
    while (cq.Next(&tag, &ok)) {}
  }
}

}  // namespace
}  // namespace tokend::testing
