// The OAuth endpoints of the HTTP bridge over real sockets: RFC 6749 token
// requests and §5.2 errors, RFC 7662 introspection, RFC 7009 revocation.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "tests/unit/http_bridge_fixture.h"

namespace tokend::testing {
namespace {

class OAuthEndpointTest : public BridgeTest {
 protected:
  void SetUp() override { StartBridge(); }

  HttpResponse Token(const std::string& body, const std::string& authorization = AppBasic()) {
    return Call(FormPost("/oauth/token", body, authorization));
  }

  std::string AccessToken() {
    auto res = Token("grant_type=client_credentials");
    EXPECT_EQ(res.result_int(), 200) << res.body();
    return JsonString(res, "access_token");
  }
};

void ExpectNoStore(const HttpResponse& res) {
  EXPECT_EQ(res[bhttp::field::cache_control], "no-store");
  EXPECT_EQ(res[bhttp::field::pragma], "no-cache");
}

TEST_F(OAuthEndpointTest, ClientCredentialsWithBasic) {
  auto res = Token("grant_type=client_credentials");
  ASSERT_EQ(res.result_int(), 200) << res.body();
  EXPECT_EQ(res[bhttp::field::content_type], "application/json");
  ExpectNoStore(res);
  auto json = ParseJson(res.body());
  EXPECT_TRUE(absl::StartsWith(json.fields().at("access_token").string_value(), "tda_"));
  EXPECT_EQ(json.fields().at("token_type").string_value(), "Bearer");
  EXPECT_EQ(json.fields().at("scope").string_value(), "read");
  EXPECT_FALSE(json.fields().contains("refresh_token"));
  // An integer, not 7200.0.
  EXPECT_TRUE(absl::StrContains(res.body(), "\"expires_in\":7200")) << res.body();
}

TEST_F(OAuthEndpointTest, ClientCredentialsWithPostAndCharset) {
  auto res = Call(FormPost("/oauth/token",
                           "grant_type=client_credentials&client_id=app&client_secret=s3cret"
                           "&scope=read+write&unknown=ignored",
                           "", "application/x-www-form-urlencoded; charset=UTF-8"));
  ASSERT_EQ(res.result_int(), 200) << res.body();
  EXPECT_EQ(JsonString(res, "scope"), "read write");
}

TEST_F(OAuthEndpointTest, PasswordThenRefresh) {
  auto res = Token("grant_type=password&username=alice&password=wonderland&scope=read%20write");
  ASSERT_EQ(res.result_int(), 200) << res.body();
  std::string refresh = JsonString(res, "refresh_token");
  ASSERT_TRUE(absl::StartsWith(refresh, "tdr_"));
  auto refreshed = Token("grant_type=refresh_token&scope=read&refresh_token=" + refresh);
  ASSERT_EQ(refreshed.result_int(), 200) << refreshed.body();
  EXPECT_EQ(JsonString(refreshed, "scope"), "read");
  EXPECT_NE(JsonString(refreshed, "refresh_token"), refresh);
  // Single use: the old refresh token is now invalid_grant.
  auto reused = Token("grant_type=refresh_token&refresh_token=" + refresh);
  EXPECT_EQ(reused.result_int(), 400);
  EXPECT_EQ(JsonString(reused, "error"), "invalid_grant");
}

TEST_F(OAuthEndpointTest, Aliases) {
  for (const char* path : {"/oauth2/token", "/oauth2/token/", "/oauth/v2/accessToken"}) {
    auto res = Call(FormPost(path, "grant_type=client_credentials", AppBasic()));
    EXPECT_EQ(res.result_int(), 200) << path << " " << res.body();
  }
}

TEST_F(OAuthEndpointTest, BasicCredentialsWithReservedAndNonAsciiCharacters) {
  const std::string id = "we:ird%id+x";
  const std::string secret = "p:a%s+s w\xC3\xB6rd";
  fake_.AddClient(id, secret);
  std::string header = basic_auth::Format(id, secret);
  auto res = Token("grant_type=client_credentials", header);
  EXPECT_EQ(res.result_int(), 200) << res.body();
  // The same credentials in the body, percent-encoded by hand.
  res = Call(FormPost("/oauth/token",
                      "grant_type=client_credentials&client_id=we%3Aird%25id%2Bx"
                      "&client_secret=p%3Aa%25s%2Bs+w%C3%B6rd"));
  EXPECT_EQ(res.result_int(), 200) << res.body();
}

struct ErrorCase {
  std::string name;
  HttpRequest request;
  int status;
  std::string error;
  bool challenge = false;  // WWW-Authenticate expected
};

class TokenErrorTest : public OAuthEndpointTest, public ::testing::WithParamInterface<ErrorCase> {};

TEST_P(TokenErrorTest, AnswersSection52Error) {
  fake_.AddClient("cc-only", "pw", {"client_credentials"});
  const ErrorCase& c = GetParam();
  auto res = Call(c.request);
  EXPECT_EQ(res.result_int(), c.status) << res.body();
  EXPECT_EQ(JsonString(res, "error"), c.error) << res.body();
  EXPECT_FALSE(JsonString(res, "error_description").empty());
  ExpectNoStore(res);
  EXPECT_EQ(res.count(bhttp::field::www_authenticate), c.challenge ? 1u : 0u);
  if (c.challenge) {
    EXPECT_EQ(res[bhttp::field::www_authenticate], "Basic realm=\"tokend\"");
  }
}

std::vector<ErrorCase> ErrorCases() {
  const std::string basic = basic_auth::Format("app", "s3cret");
  const std::string token = "/oauth/token";
  const std::string cc = "grant_type=client_credentials";
  return {
      {"MissingGrantType", FormPost(token, "scope=read", basic), 400, "invalid_request"},
      {"UnsupportedGrant", FormPost(token, "grant_type=magic", basic), 400,
       "unsupported_grant_type"},
      {"UnregisteredCodeGrant", FormPost(token, "grant_type=authorization_code&code=x", basic),
       400, "unsupported_grant_type"},
      {"BadSecretBasic", FormPost(token, cc, basic_auth::Format("app", "wrong")), 401,
       "invalid_client", true},
      {"BadSecretPost", FormPost(token, cc + "&client_id=app&client_secret=wrong"), 401,
       "invalid_client"},
      {"NoClientAuth", FormPost(token, cc), 401, "invalid_client"},
      {"BothAuthMethods", FormPost(token, cc + "&client_id=app&client_secret=s3cret", basic), 400,
       "invalid_request"},
      {"MalformedBasic", FormPost(token, cc, "Basic !!!notbase64"), 400, "invalid_request"},
      {"DuplicateParameter", FormPost(token, cc + "&scope=read&scope=write", basic), 400,
       "invalid_request"},
      {"DuplicateGrantType", FormPost(token, cc + "&" + cc, basic), 400, "invalid_request"},
      {"JsonContentType",
       FormPost(token, "{\"grant_type\":\"client_credentials\"}", basic, "application/json"), 400,
       "invalid_request"},
      {"MissingContentType", FormPost(token, cc, basic, ""), 400, "invalid_request"},
      {"MalformedPercent", FormPost(token, cc + "&scope=%zz", basic), 400, "invalid_request"},
      {"TruncatedPercent", FormPost(token, cc + "&scope=%4", basic), 400, "invalid_request"},
      {"EmptyBody", FormPost(token, "", basic), 400, "invalid_request"},
      {"BinaryGarbage", FormPost(token, std::string("\x00\xff\xfe\x01=\x80&&=\x9f", 11), basic),
       400, "invalid_request"},
      {"BadTokenFormat", FormPost(token, cc + "&token_format=xml", basic), 400, "invalid_request"},
      {"JwtNotYet", FormPost(token, cc + "&token_format=jwt", basic), 400, "invalid_request"},
      {"GrantNotAllowed",
       FormPost(token, "grant_type=password&username=alice&password=wonderland",
                basic_auth::Format("cc-only", "pw")),
       400, "unauthorized_client"},
      {"WrongPassword", FormPost(token, "grant_type=password&username=alice&password=x", basic),
       400, "invalid_grant"},
      {"UnknownScope", FormPost(token, cc + "&scope=admin", basic), 400, "invalid_scope"},
  };
}

INSTANTIATE_TEST_SUITE_P(All, TokenErrorTest, ::testing::ValuesIn(ErrorCases()),
                         [](const auto& info) { return info.param.name; });

TEST_F(OAuthEndpointTest, OpaqueFormatIsAccepted) {
  EXPECT_EQ(Token("grant_type=client_credentials&token_format=opaque").result_int(), 200);
}

TEST_F(OAuthEndpointTest, IntrospectActiveToken) {
  auto issued = Token("grant_type=password&username=alice&password=wonderland");
  std::string access = JsonString(issued, "access_token");
  auto res = Call(FormPost("/oauth/introspect", "token=" + access, AppBasic()));
  ASSERT_EQ(res.result_int(), 200) << res.body();
  ExpectNoStore(res);
  auto json = ParseJson(res.body());
  const auto& f = json.fields();
  EXPECT_TRUE(f.at("active").bool_value());
  EXPECT_EQ(f.at("client_id").string_value(), "app");
  EXPECT_EQ(f.at("username").string_value(), "alice");
  EXPECT_EQ(f.at("sub").string_value(), "u-1");
  EXPECT_EQ(f.at("scope").string_value(), "read");
  EXPECT_EQ(f.at("token_type").string_value(), "Bearer");
  EXPECT_EQ(f.at("iss").string_value(), "https://issuer.test");
  EXPECT_FALSE(f.at("jti").string_value().empty());
  EXPECT_FALSE(f.contains("aud"));  // empty strings are omitted
  EXPECT_EQ(f.at("exp").number_value() - f.at("iat").number_value(), 7200);
  EXPECT_FALSE(absl::StrContains(res.body(), ".0")) << res.body();
}

TEST_F(OAuthEndpointTest, IntrospectUnknownTokenIsInactiveOnly) {
  auto res = Call(FormPost("/oauth/introspect",
                           "token=nope&token_type_hint=access_token&client_id=app"
                           "&client_secret=s3cret"));
  ASSERT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "{\"active\":false}");
}

TEST_F(OAuthEndpointTest, IntrospectErrors) {
  auto res = Call(FormPost("/oauth/introspect", "token=x"));
  EXPECT_EQ(res.result_int(), 401);
  EXPECT_EQ(JsonString(res, "error"), "invalid_client");
  res = Call(FormPost("/oauth/introspect", "", AppBasic()));
  EXPECT_EQ(res.result_int(), 400);
  res = Call(FormPost("/oauth/introspect", "token=a&token=b", AppBasic()));
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_EQ(JsonString(res, "error"), "invalid_request");
}

TEST_F(OAuthEndpointTest, RevokeThenIntrospect) {
  std::string access = AccessToken();
  auto res = Call(FormPost("/oauth/revoke", "token=" + access, AppBasic()));
  ASSERT_EQ(res.result_int(), 200) << res.body();
  EXPECT_EQ(res.body(), "{}");
  res = Call(FormPost("/oauth/introspect", "token=" + access, AppBasic()));
  EXPECT_EQ(res.body(), "{\"active\":false}");
}

TEST_F(OAuthEndpointTest, RevokeUnknownTokenSucceeds) {
  auto res =
      Call(FormPost("/oauth/revoke", "token=unknown&token_type_hint=refresh_token", AppBasic()));
  EXPECT_EQ(res.result_int(), 200);
}

TEST_F(OAuthEndpointTest, RevokeAnotherClientsToken) {
  fake_.AddClient("other", "pw");
  std::string access = AccessToken();
  auto res = Call(FormPost("/oauth/revoke", "token=" + access, basic_auth::Format("other", "pw")));
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_EQ(JsonString(res, "error"), "unauthorized_client");
}

TEST_F(OAuthEndpointTest, SaturatedExecutorAnswers503) {
  executor_.Shutdown();  // every TrySubmit now fails, as when the queue is full
  auto res = Token("grant_type=client_credentials");
  EXPECT_EQ(res.result_int(), 503);
  EXPECT_EQ(JsonString(res, "error"), "temporarily_unavailable");
  EXPECT_EQ(res[bhttp::field::retry_after], "1");
}

}  // namespace
}  // namespace tokend::testing
