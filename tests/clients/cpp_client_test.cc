// The C++ client (clients/cpp) in-process against the live tokend: every RPC,
// the typed errors, the token source, and the interceptor pair around a C++
// echo service.
#include <grpcpp/security/server_credentials.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "bearer_auth.h"
#include "bearer_guard.h"
#include "echo.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/clients/clients_env.h"
#include "token_client.h"
#include "token_source.h"

namespace tokend::testing {
namespace {

using client::IssueOptions;
using client::OAuthError;
using client::Result;
using client::Token;
using client::TokenClient;
using client::TokenSource;
using std::chrono::milliseconds;

std::shared_ptr<TokenClient> Client(const std::string& id, const std::string& secret) {
  auto channel =
      grpc::CreateChannel(Clients().server->grpc_addr(), grpc::InsecureChannelCredentials());
  return std::make_shared<TokenClient>(channel, id, secret);
}
std::shared_ptr<TokenClient> App() { return Client(Clients().app_id, Clients().app_secret); }

TEST(CppClientTest, IssueIntrospectRevoke) {
  auto c = App();
  auto token = c->Issue({.scopes = {"read", "write"}});
  ASSERT_TRUE(token.ok()) << token.error().description;
  EXPECT_EQ(token->token_type, "Bearer");
  EXPECT_TRUE(token->refresh_token.empty());
  EXPECT_EQ(token->Scopes(), (std::vector<std::string>{"read", "write"}));
  auto info = c->Introspect(token->access_token);
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(info->active);
  EXPECT_EQ(info->client_id, Clients().app_id);
  EXPECT_FALSE(c->Revoke(token->access_token).has_value());
  EXPECT_FALSE(c->Introspect(token->access_token)->active);
  EXPECT_FALSE(c->Revoke("never-issued").has_value());
}

TEST(CppClientTest, PasswordRefreshAndSpentRefreshToken) {
  auto c = App();
  auto token = c->Issue({.username = Clients().username, .password = Clients().password});
  ASSERT_TRUE(token.ok()) << token.error().description;
  ASSERT_FALSE(token->refresh_token.empty());
  auto next = c->Refresh(token->refresh_token);
  ASSERT_TRUE(next.ok());
  EXPECT_NE(next->access_token, token->access_token);
  EXPECT_EQ(c->Introspect(next->access_token)->username, Clients().username);
  auto spent = c->Refresh(token->refresh_token);
  ASSERT_FALSE(spent.ok());
  EXPECT_EQ(spent.error().error, "invalid_grant");
  EXPECT_EQ(spent.error().status, grpc::StatusCode::FAILED_PRECONDITION);
}

TEST(CppClientTest, WrongSecretIsInvalidClient) {
  auto bad = Client(Clients().app_id, "not-the-secret")->Issue();
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().error, "invalid_client");
  EXPECT_EQ(bad.error().status, grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_FALSE(bad.error().description.empty());
}

TEST(CppClientTest, UnreachableTokendIsUnavailable) {
  TokenClient dead(grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials()), "x", "y",
                   std::chrono::seconds(2));
  auto r = dead.Issue();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(r.error().error, "");
}

// Counts Issue calls of an inner issuer.
class Counting : public client::Issuer {
 public:
  explicit Counting(std::shared_ptr<const client::Issuer> inner) : inner_(std::move(inner)) {}
  Result<Token> Issue(const IssueOptions& o) const override {
    ++calls;
    return inner_->Issue(o);
  }
  mutable std::atomic<int> calls{0};

 private:
  std::shared_ptr<const client::Issuer> inner_;
};

// Answers from a list (a token, or an error); the last answer repeats.
class Fake : public client::Issuer {
 public:
  explicit Fake(std::vector<Result<Token>> answers) : answers_(std::move(answers)) {}
  Result<Token> Issue(const IssueOptions&) const override {
    std::lock_guard lock(mu_);
    Result<Token> a = answers_[next_];
    if (next_ + 1 < answers_.size()) ++next_;
    return a;
  }

 private:
  mutable std::mutex mu_;
  std::vector<Result<Token>> answers_;
  mutable size_t next_ = 0;
};

const OAuthError kDown{grpc::StatusCode::UNAVAILABLE, "", "connection refused"};

TEST(CppTokenSourceTest, RenewsAShortLivedTokenBeforeItExpires) {
  auto counting = std::make_shared<Counting>(Client(Clients().short_id, Clients().short_secret));
  TokenSource source(counting);
  auto first = source.GetToken();
  ASSERT_TRUE(first.ok()) << first.error().description;
  EXPECT_EQ(first->expires_in, 4);
  EXPECT_EQ(source.GetToken()->access_token, first->access_token);
  EXPECT_EQ(counting->calls.load(), 1);
  std::this_thread::sleep_for(milliseconds(3300));  // past 80 % of 4 s
  auto second = source.GetToken();
  ASSERT_TRUE(second.ok());
  EXPECT_NE(second->access_token, first->access_token);
  EXPECT_EQ(counting->calls.load(), 2);
  EXPECT_TRUE(
      Client(Clients().short_id, Clients().short_secret)->Introspect(second->access_token)->active);
}

TEST(CppTokenSourceTest, OneRequestInFlightForManyThreads) {
  auto counting = std::make_shared<Counting>(App());
  TokenSource source(counting, {.scopes = {"read"}});
  std::vector<std::string> got(16);
  std::vector<std::thread> threads;
  for (auto& g : got) threads.emplace_back([&] { g = source.GetToken()->access_token; });
  for (auto& t : threads) t.join();
  for (const auto& g : got) EXPECT_EQ(g, got[0]);
  EXPECT_EQ(counting->calls.load(), 1);
}

struct FakeClock {
  std::chrono::steady_clock::time_point now{std::chrono::seconds(1000)};
};

TEST(CppTokenSourceTest, BacksOffWhileTokendIsDown) {
  FakeClock clock;
  auto counting =
      std::make_shared<Counting>(std::make_shared<Fake>(std::vector<Result<Token>>{kDown}));
  TokenSource source(counting, {.now = [&] { return clock.now; }});
  auto step = [&](milliseconds d, int calls) {
    clock.now += d;
    auto r = source.GetToken();
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(counting->calls.load(), calls);
  };
  step(milliseconds(0), 1);
  step(milliseconds(300), 1);  // first backoff: 375-500 ms
  step(milliseconds(250), 2);
  step(milliseconds(700), 2);  // second backoff: 750-1000 ms
  step(milliseconds(350), 3);
}

TEST(CppTokenSourceTest, KeepsTheValidTokenWhileDownButNeverAnExpiredOne) {
  FakeClock clock;
  Token a{.access_token = "a", .token_type = "Bearer", .scope = "read", .expires_in = 100};
  auto counting =
      std::make_shared<Counting>(std::make_shared<Fake>(std::vector<Result<Token>>{a, kDown}));
  TokenSource source(counting, {.now = [&] { return clock.now; }});
  EXPECT_EQ(source.GetToken()->access_token, "a");
  clock.now += std::chrono::seconds(85);  // renewal due, and it fails
  EXPECT_EQ(source.GetToken()->access_token, "a");
  EXPECT_EQ(counting->calls.load(), 2);
  clock.now += std::chrono::seconds(4);
  EXPECT_EQ(source.GetToken()->access_token, "a");
  clock.now += std::chrono::seconds(2);  // past 90 s (100 s less 10 s)
  EXPECT_FALSE(source.GetToken().ok());
}

// The echo service: answers with what the guard saw.
class EchoImpl : public echo::v1::EchoService::CallbackService {
 public:
  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* ctx, const echo::v1::EchoRequest* req,
                                 echo::v1::EchoResponse* resp) override {
    auto p = client::PrincipalFromContext(*ctx);
    resp->set_message(req->message());
    if (p) {
      resp->set_subject(p->subject);
      resp->set_client_id(p->client_id);
      for (const auto& s : p->scopes) resp->add_scopes(s);
    }
    auto* reactor = ctx->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
  grpc::ServerUnaryReactor* Shout(grpc::CallbackServerContext* ctx,
                                  const echo::v1::EchoRequest* req,
                                  echo::v1::EchoResponse* resp) override {
    return Echo(ctx, req, resp);
  }
};

class CppInterceptorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto verifier = std::make_shared<client::IntrospectionVerifier>(
        Client(Clients().rs_id, Clients().rs_secret), milliseconds(1000));
    auto guard = std::make_shared<client::BearerGuard>(
        verifier,
        client::GuardOptions{.required_scopes = {{"/echo.v1.EchoService/Echo", {"read"}},
                                                 {"/echo.v1.EchoService/Shout", {"write"}}}});
    auto creds = grpc::experimental::LocalServerCredentials(LOCAL_TCP);
    creds->SetAuthMetadataProcessor(guard);
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", creds, &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
  }
  void TearDown() override { server_->Shutdown(); }

  std::string addr() const { return "127.0.0.1:" + std::to_string(port_); }
  // A stub whose calls carry tokens of `source` through the client interceptor.
  std::unique_ptr<echo::v1::EchoService::Stub> Stub(std::shared_ptr<TokenSource> source) {
    return echo::v1::EchoService::NewStub(client::CreateBearerChannel(
        addr(), grpc::experimental::LocalCredentials(LOCAL_TCP), std::move(source)));
  }
  static grpc::Status Call(echo::v1::EchoService::Stub* stub, bool shout,
                           echo::v1::EchoResponse* resp, const std::string& authorization = "") {
    grpc::ClientContext ctx;
    if (!authorization.empty()) ctx.AddMetadata("authorization", authorization);
    echo::v1::EchoRequest req;
    req.set_message("hi");
    return shout ? stub->Shout(&ctx, req, resp) : stub->Echo(&ctx, req, resp);
  }

  EchoImpl service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

std::shared_ptr<TokenSource> Source(std::vector<std::string> scopes) {
  return std::make_shared<TokenSource>(App(),
                                       client::TokenSourceOptions{.scopes = std::move(scopes)});
}

TEST_F(CppInterceptorTest, GuardAdmitsTheTokenAndExposesTheCaller) {
  auto stub = Stub(Source({"read"}));
  echo::v1::EchoResponse resp;
  ASSERT_TRUE(Call(stub.get(), false, &resp).ok());
  EXPECT_EQ(resp.message(), "hi");
  EXPECT_EQ(resp.client_id(), Clients().app_id);
  EXPECT_EQ(resp.subject(), Clients().app_id);
  ASSERT_EQ(resp.scopes_size(), 1);
  EXPECT_EQ(resp.scopes(0), "read");
}

TEST_F(CppInterceptorTest, MissingScopeIsPermissionDenied) {
  echo::v1::EchoResponse resp;
  EXPECT_EQ(Call(Stub(Source({"read"})).get(), true, &resp).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(Call(Stub(Source({"read", "write"})).get(), true, &resp).ok());
}

TEST_F(CppInterceptorTest, NoOrUnknownTokenIsUnauthenticated) {
  auto stub = echo::v1::EchoService::NewStub(
      grpc::CreateChannel(addr(), grpc::experimental::LocalCredentials(LOCAL_TCP)));
  echo::v1::EchoResponse resp;
  for (const char* header : {"", "Bearer not-a-token", "Basic eDp5"}) {
    EXPECT_EQ(Call(stub.get(), false, &resp, header).error_code(),
              grpc::StatusCode::UNAUTHENTICATED)
        << header;
  }
}

TEST_F(CppInterceptorTest, RevokedTokenIsRejectedWithinTheCacheTtl) {
  auto source = Source({"read"});
  auto stub = Stub(source);
  echo::v1::EchoResponse resp;
  ASSERT_TRUE(Call(stub.get(), false, &resp).ok());
  EXPECT_FALSE(App()->Revoke(source->GetToken()->access_token).has_value());
  std::this_thread::sleep_for(milliseconds(1100));
  EXPECT_EQ(Call(stub.get(), false, &resp).error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(CppInterceptorTest, CallCredentials) {
  auto creds = grpc::CompositeChannelCredentials(grpc::experimental::LocalCredentials(LOCAL_TCP),
                                                 client::BearerCallCredentials(Source({"read"})));
  auto stub = echo::v1::EchoService::NewStub(grpc::CreateChannel(addr(), creds));
  echo::v1::EchoResponse resp;
  ASSERT_TRUE(Call(stub.get(), false, &resp).ok());
  EXPECT_EQ(resp.client_id(), Clients().app_id);
}

}  // namespace
}  // namespace tokend::testing
