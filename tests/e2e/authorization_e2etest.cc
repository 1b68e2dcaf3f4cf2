// The authorization code flow against a real tokend over HTTP and gRPC:
// authorize → login → consent → redirect with code and state → exchange
// with PKCE; remembered consent; BellaDati's sequence as its document shows
// it; and every refusal (redirect_uri, PKCE, code reuse and expiry, CSRF,
// throttled logins). The browser is played by a cookie-keeping HTTP client;
// tests/browser/ drives the same pages in a real Chromium.
#include <grpcpp/grpcpp.h>

#include <map>
#include <regex>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "services/common/basic_auth.h"
#include "services/common/form_codec.h"
#include "services/common/secrets.h"
#include "tests/testing/pg_harness.h"
#include "tests/testing/tokend_process.h"
#include "tests/unit/http_test_client.h"

namespace tokend::testing {
namespace {

constexpr char kRedirect[] = "https://app.example/callback";
constexpr char kVerifier[] = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";  // RFC 7636 App. B

std::string S256(const std::string& verifier) {
  return absl::WebSafeBase64Escape(secrets::Sha256(verifier));
}

std::string Unescape(std::string html) {
  return absl::StrReplaceAll(html, {{"&quot;", "\""}, {"&#39;", "'"}, {"&lt;", "<"},
                                    {"&gt;", ">"}, {"&amp;", "&"}});
}

// The hidden fields of the page's form, as a form body to post back.
std::string HiddenFields(const std::string& html) {
  std::regex hidden(R"re(<input type="hidden" name="([^"]*)" value="([^"]*)">)re");
  std::string body;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), hidden); it != std::sregex_iterator();
       ++it) {
    absl::StrAppend(&body, body.empty() ? "" : "&", form::Encode(Unescape((*it)[1])), "=",
                    form::Encode(Unescape((*it)[2])));
  }
  return body;
}

// The query parameters of a URL.
std::map<std::string, std::string> QueryOf(const std::string& url) {
  std::map<std::string, std::string> out;
  size_t q = url.find('?');
  if (q == std::string::npos) return out;
  auto fields = form::Parse(url.substr(q + 1));
  EXPECT_TRUE(fields.ok()) << url;
  for (auto& [k, v] : *fields) out[k] = v;
  return out;
}

// A browser: keeps cookies across requests (one connection per request).
class Browser {
 public:
  explicit Browser(uint16_t port) : port_(port) {}

  HttpResponse Send(HttpRequest req) {
    std::string cookies;
    for (const auto& [name, value] : jar_) absl::StrAppend(&cookies, cookies.empty() ? "" : "; ", name, "=", value);
    if (!cookies.empty()) req.set(bhttp::field::cookie, cookies);
    HttpResponse res = HttpConnection(ioc_, port_).Send(std::move(req));
    for (const auto& field : res) {
      if (field.name() != bhttp::field::set_cookie) continue;
      std::string line(field.value());
      set_cookies_.push_back(line);
      std::string pair = line.substr(0, line.find(';'));
      size_t eq = pair.find('=');
      jar_[pair.substr(0, eq)] = pair.substr(eq + 1);
    }
    return res;
  }
  HttpResponse Get(const std::string& target) { return Send(testing::Get(target)); }
  HttpResponse Post(const std::string& target, const std::string& body) {
    return Send(FormPost(target, body));
  }
  std::map<std::string, std::string>& jar() { return jar_; }
  const std::vector<std::string>& set_cookies() const { return set_cookies_; }

 private:
  uint16_t port_;
  net::io_context ioc_;
  std::map<std::string, std::string> jar_;
  std::vector<std::string> set_cookies_;
};

uint16_t PortOf(const std::string& addr) {
  uint32_t port = 0;
  EXPECT_TRUE(absl::SimpleAtoi(addr.substr(addr.rfind(':') + 1), &port)) << addr;
  return static_cast<uint16_t>(port);
}

class AuthorizationE2eTest : public ::testing::Test {
 protected:
  static TokendOptions Options() {
    TokendOptions o;
    o.database_url = FreshDatabase("authz");
    o.env = {{"TOKEND_AUTHORIZATION_CODE_TTL_SECONDS", "2"}};
    return o;
  }
  AuthorizationE2eTest() : server_(Options()) {}

  void SetUp() override {
    ASSERT_TRUE(server_.Start());
    v1::Client c;
    c.set_name("Render Farm");
    c.set_homepage_url("https://app.example/");
    c.set_logo_url("https://app.example/logo.png");
    c.add_grant_types("authorization_code");
    c.add_grant_types("refresh_token");
    c.add_redirect_uris(kRedirect);
    for (const char* s : {"email", "badge"}) c.add_allowed_scopes(s);
    c.add_default_scopes("email");
    app_ = server_.CreateClient(c);
    v1::Client pub;
    pub.set_name("Mobile");
    pub.set_client_type(v1::CLIENT_TYPE_PUBLIC);
    pub.add_grant_types("authorization_code");
    pub.add_redirect_uris("com.example.app:/cb");
    pub.add_allowed_scopes("email");
    public_app_ = server_.CreateClient(pub).first;
    alice_ = server_.CreateUser("alice", "wonderland");
  }

  uint16_t port() const { return PortOf(server_.http_addr()); }

  std::string AuthorizeUrl(const std::string& extra, const std::string& client_id = "") {
    return absl::StrCat("/oauth/authorize?response_type=code&client_id=",
                        form::Encode(client_id.empty() ? app_.first : client_id),
                        "&redirect_uri=", form::Encode(kRedirect), extra);
  }
  std::string Pkce() const { return absl::StrCat("&code_challenge=", S256(kVerifier), "&code_challenge_method=S256"); }

  // Logs in on the login page `page` and follows the redirect back to the
  // authorization endpoint; returns what it answers.
  HttpResponse LogIn(Browser& b, const HttpResponse& page, const std::string& password = "wonderland") {
    HttpResponse res = b.Post("/oauth/authorize/login", HiddenFields(page.body()) +
                                                            "&username=alice&password=" + password);
    if (res.result_int() != 303) return res;
    return b.Get(std::string(res[bhttp::field::location]));
  }

  // Runs the browser part of the flow to the redirect carrying the code.
  std::string CodeRedirect(Browser& b, const std::string& url) {
    HttpResponse login = b.Get(url);
    EXPECT_EQ(login.result_int(), 200) << login.body();
    HttpResponse consent = LogIn(b, login);
    EXPECT_EQ(consent.result_int(), 200) << consent.body();
    HttpResponse back = b.Post("/oauth/authorize/consent", HiddenFields(consent.body()) + "&decision=allow");
    EXPECT_EQ(back.result_int(), 303) << HiddenFields(consent.body()) << "\n" << consent.body();
    return std::string(back[bhttp::field::location]);
  }

  HttpResponse Exchange(const std::string& code, const std::string& extra) {
    return HttpConnection(ioc_, port())
        .Send(FormPost("/oauth/token",
                       absl::StrCat("grant_type=authorization_code&code=", form::Encode(code), extra),
                       basic_auth::Format(app_.first, app_.second)));
  }

  bool Active(const std::string& token) {
    auto res = HttpConnection(ioc_, port())
                   .Send(FormPost("/oauth/introspect", "token=" + form::Encode(token),
                                  basic_auth::Format(app_.first, app_.second)));
    return ParseJson(res.body()).fields().at("active").bool_value();
  }

  TokendProcess server_;
  std::pair<std::string, std::string> app_;
  std::string public_app_;
  std::string alice_;
  net::io_context ioc_;
};

TEST_F(AuthorizationE2eTest, BrowserFlowWithPkceThenCodeReuseRevokes) {
  Browser b(port());
  HttpResponse login = b.Get(AuthorizeUrl("&scope=email%20badge&state=xyz%20123" + Pkce()));
  ASSERT_EQ(login.result_int(), 200) << login.body();
  EXPECT_EQ(login[bhttp::field::content_type], "text/html; charset=utf-8");
  EXPECT_EQ(login[bhttp::field::cache_control], "no-store");
  EXPECT_EQ(login["X-Frame-Options"], "DENY");
  EXPECT_TRUE(absl::StrContains(login.body(), "Render Farm"));
  EXPECT_TRUE(absl::StrContains(login.body(), "https://app.example/logo.png"));
  EXPECT_TRUE(absl::StrContains(login.body(), "name=\"csrf_token\""));
  EXPECT_TRUE(absl::StrContains(login.body(), "<label for=\"password\">"));

  // A wrong password shows the page again, with no session.
  HttpResponse wrong = LogIn(b, login, "nope");
  EXPECT_EQ(wrong.result_int(), 401);
  EXPECT_TRUE(absl::StrContains(wrong.body(), "incorrect"));
  EXPECT_EQ(b.jar().count("tokend_session"), 0u);

  HttpResponse consent = LogIn(b, login);
  ASSERT_EQ(consent.result_int(), 200) << consent.body();
  bool session_cookie_ok = false;
  for (const auto& c : b.set_cookies()) {
    if (absl::StartsWith(c, "tokend_session=")) {
      session_cookie_ok = absl::StrContains(c, "HttpOnly") && absl::StrContains(c, "SameSite=Lax");
    }
  }
  EXPECT_TRUE(session_cookie_ok);
  EXPECT_TRUE(absl::StrContains(consent.body(), "See your email address"));
  EXPECT_TRUE(absl::StrContains(consent.body(), "See your badges"));

  HttpResponse back = b.Post("/oauth/authorize/consent", HiddenFields(consent.body()) + "&decision=allow");
  ASSERT_EQ(back.result_int(), 303) << back.body();
  std::string location(back[bhttp::field::location]);
  ASSERT_TRUE(absl::StartsWith(location, std::string(kRedirect) + "?")) << location;
  auto q = QueryOf(location);
  EXPECT_EQ(q["state"], "xyz 123");
  ASSERT_FALSE(q["code"].empty());

  // The exchange needs the verifier; a wrong one changes nothing.
  std::string redirect = "&redirect_uri=" + form::Encode(kRedirect);
  HttpResponse res = Exchange(q["code"], redirect);
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_EQ(JsonString(res, "error"), "invalid_grant");
  res = Exchange(q["code"], redirect + "&code_verifier=" + std::string(43, 'a'));
  EXPECT_EQ(JsonString(res, "error"), "invalid_grant");
  res = Exchange(q["code"], "&redirect_uri=" + form::Encode("https://app.example/other") +
                                "&code_verifier=" + kVerifier);
  EXPECT_EQ(JsonString(res, "error"), "invalid_grant");

  res = Exchange(q["code"], redirect + "&code_verifier=" + kVerifier);
  ASSERT_EQ(res.result_int(), 200) << res.body();
  EXPECT_EQ(res[bhttp::field::cache_control], "no-store");
  EXPECT_EQ(res[bhttp::field::pragma], "no-cache");
  EXPECT_EQ(JsonString(res, "scope"), "email badge");
  std::string access = JsonString(res, "access_token");
  std::string refresh = JsonString(res, "refresh_token");
  ASSERT_FALSE(refresh.empty());
  EXPECT_TRUE(Active(access));

  // A second use fails and revokes what the first one got (RFC 6749 §4.1.2).
  res = Exchange(q["code"], redirect + "&code_verifier=" + kVerifier);
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_EQ(JsonString(res, "error"), "invalid_grant");
  EXPECT_FALSE(Active(access));
  EXPECT_FALSE(Active(refresh));
}

TEST_F(AuthorizationE2eTest, ConsentIsRememberedAndDenialRedirects) {
  Browser b(port());
  std::string first = CodeRedirect(b, AuthorizeUrl("&scope=email&state=s1"));
  EXPECT_FALSE(QueryOf(first)["code"].empty()) << first;
  // Same client and scopes: straight back with a new code.
  HttpResponse again = b.Get(AuthorizeUrl("&scope=email&state=s2"));
  ASSERT_EQ(again.result_int(), 302) << again.body();
  auto q = QueryOf(std::string(again[bhttp::field::location]));
  EXPECT_EQ(q["state"], "s2");
  EXPECT_FALSE(q["code"].empty());
  // A wider request asks again; declining goes back with access_denied.
  HttpResponse consent = b.Get(AuthorizeUrl("&scope=email%20badge&state=s3"));
  ASSERT_EQ(consent.result_int(), 200);
  ASSERT_TRUE(absl::StrContains(consent.body(), "See your badges"));
  HttpResponse denied = b.Post("/oauth/authorize/consent", HiddenFields(consent.body()) + "&decision=deny");
  ASSERT_EQ(denied.result_int(), 303);
  q = QueryOf(std::string(denied[bhttp::field::location]));
  EXPECT_EQ(q["error"], "access_denied");
  EXPECT_EQ(q["state"], "s3");
  EXPECT_EQ(q.count("code"), 0u);
}

TEST_F(AuthorizationE2eTest, RefusalsNeverRedirectToUnregisteredPlaces) {
  Browser b(port());
  // Unknown client and wrong redirect_uri: an error page, no redirect.
  HttpResponse res = b.Get(AuthorizeUrl("&state=s", "nobody"));
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_EQ(res.count(bhttp::field::location), 0u);
  res = b.Get(absl::StrCat("/oauth/authorize?response_type=code&client_id=", app_.first,
                           "&redirect_uri=", form::Encode(std::string(kRedirect) + "/x")));
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_EQ(res.count(bhttp::field::location), 0u);
  res = b.Get(absl::StrCat("/oauth/authorize?response_type=code&client_id=", app_.first,
                           "&redirect_uri=", form::Encode("https://APP.example/callback")));
  EXPECT_EQ(res.result_int(), 400) << "redirect_uri is compared character for character";
  // Other errors go back to the application with error and state.
  auto redirected = [&](const std::string& url) {
    HttpResponse r = b.Get(url);
    EXPECT_EQ(r.result_int(), 302) << url << "\n" << r.body();
    return QueryOf(std::string(r[bhttp::field::location]));
  };
  auto q = redirected(absl::StrReplaceAll(AuthorizeUrl("&state=t1"), {{"response_type=code", "response_type=token"}}));
  EXPECT_EQ(q["error"], "unsupported_response_type");
  EXPECT_EQ(q["state"], "t1");
  q = redirected(AuthorizeUrl("&scope=admin&state=t2"));
  EXPECT_EQ(q["error"], "invalid_scope");
  q = redirected(AuthorizeUrl("&code_challenge=" + std::string(43, 'a') + "&code_challenge_method=plain"));
  EXPECT_EQ(q["error"], "invalid_request") << "plain PKCE only when the client allows it";
  q = redirected(AuthorizeUrl("&code_challenge=short&code_challenge_method=S256"));
  EXPECT_EQ(q["error"], "invalid_request");
  // A public client must use PKCE.
  HttpResponse pub = b.Get(absl::StrCat("/oauth/authorize?response_type=code&client_id=", public_app_,
                                        "&redirect_uri=", form::Encode("com.example.app:/cb"), "&state=p"));
  ASSERT_EQ(pub.result_int(), 302);
  q = QueryOf(std::string(pub[bhttp::field::location]));
  EXPECT_EQ(q["error"], "invalid_request");
  EXPECT_EQ(q["state"], "p");
}

TEST_F(AuthorizationE2eTest, FormsNeedTheirCsrfToken) {
  Browser b(port());
  HttpResponse login = b.Get(AuthorizeUrl("&state=c"));
  ASSERT_EQ(login.result_int(), 200);
  std::string fields = HiddenFields(login.body());
  std::string without = std::regex_replace(fields, std::regex("&?csrf_token=[^&]*"), "");
  HttpResponse res = b.Post("/oauth/authorize/login", without + "&username=alice&password=wonderland");
  EXPECT_EQ(res.result_int(), 403);
  EXPECT_EQ(b.jar().count("tokend_session"), 0u);
  res = b.Post("/oauth/authorize/login", without + "&csrf_token=" + std::string(64, 'f') +
                                             "&username=alice&password=wonderland");
  EXPECT_EQ(res.result_int(), 403);
  // Another browser (no CSRF cookie) posting this page's form is refused too.
  Browser other(port());
  res = other.Post("/oauth/authorize/login", fields + "&username=alice&password=wonderland");
  EXPECT_EQ(res.result_int(), 403);
  // The consent form as well.
  HttpResponse consent = LogIn(b, login);
  ASSERT_EQ(consent.result_int(), 200);
  std::string consent_fields = std::regex_replace(HiddenFields(consent.body()), std::regex("&?csrf_token=[^&]*"), "");
  res = b.Post("/oauth/authorize/consent", consent_fields + "&decision=allow");
  EXPECT_EQ(res.result_int(), 403);
  EXPECT_EQ(res.count(bhttp::field::location), 0u);
}

TEST_F(AuthorizationE2eTest, CodesExpireAndLoginsAreThrottled) {
  Browser b(port());
  std::string location = CodeRedirect(b, AuthorizeUrl("&state=e" + Pkce()));
  std::string code = QueryOf(location)["code"];
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // the code lives 2 s here
  HttpResponse res = Exchange(code, "&redirect_uri=" + form::Encode(kRedirect) + "&code_verifier=" + kVerifier);
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_EQ(JsonString(res, "error"), "invalid_grant");
  EXPECT_TRUE(absl::StrContains(JsonString(res, "error_description"), "expired"));

  // Five free failures for an account, then it must wait; even the right
  // password is refused until then.
  Browser guesser(port());
  HttpResponse login = guesser.Get(AuthorizeUrl("&state=g"));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(LogIn(guesser, login, "guess").result_int(), 401);
  HttpResponse throttled = LogIn(guesser, login, "guess");
  EXPECT_EQ(throttled.result_int(), 429);
  int retry_after = 0;
  EXPECT_TRUE(absl::SimpleAtoi(std::string(throttled[bhttp::field::retry_after]), &retry_after));
  EXPECT_GE(retry_after, 1);
  EXPECT_EQ(LogIn(guesser, login).result_int(), 429);
}

TEST_F(AuthorizationE2eTest, GrpcIssueTokenExchangesACode) {
  Browser b(port());
  std::string code = QueryOf(CodeRedirect(b, AuthorizeUrl("&state=g" + Pkce())))["code"];
  auto stub = server_.TokenStub();
  v1::IssueTokenRequest req;
  auto* grant = req.mutable_authorization_code();
  grant->set_code(code);
  grant->set_redirect_uri(kRedirect);
  grant->set_code_verifier(kVerifier);
  req.mutable_credentials()->set_client_id(app_.first);
  req.mutable_credentials()->set_client_secret(app_.second);
  v1::IssueTokenResponse resp;
  grpc::ClientContext ctx;
  grpc::Status st = stub->IssueToken(&ctx, req, &resp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_FALSE(resp.refresh_token().empty());
  EXPECT_EQ(resp.scope(), "email");
  grpc::ClientContext again;
  st = stub->IssueToken(&again, req, &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

// BellaDati's document: GET /auth/oauth/request:new with response_type=CODE
// and state, then the exchange at /oauth/v2/accessToken with client_id and
// client_secret in the form; the answer has expires_in 3600 and no-store.
TEST_F(AuthorizationE2eTest, BellaDatiSequence) {
  v1::Client c;
  c.set_client_id("8208110359");
  c.set_name("BellaDati");
  c.add_grant_types("authorization_code");
  c.add_grant_types("refresh_token");
  c.add_redirect_uris("http://service.belladati.com/auth");
  c.set_access_token_ttl_seconds(3600);
  auto bella = server_.CreateClient(c);
  Browser b(port());
  std::string location = CodeRedirect(
      b, "/auth/oauth/request:new?client_id=8208110359&redirect_uri=http://service.belladati.com/auth"
         "&response_type=CODE&state=122342");
  ASSERT_TRUE(absl::StartsWith(location, "http://service.belladati.com/auth?code=")) << location;
  auto q = QueryOf(location);
  EXPECT_EQ(q["state"], "122342");
  HttpResponse res = HttpConnection(ioc_, port()).Send(FormPost(
      "/oauth/v2/accessToken",
      absl::StrCat("grant_type=authorization_code&code=", form::Encode(q["code"]),
                   "&redirect_uri=http://service.belladati.com/auth&client_id=8208110359&client_secret=",
                   form::Encode(bella.second))));
  ASSERT_EQ(res.result_int(), 200) << res.body();
  EXPECT_EQ(res[bhttp::field::cache_control], "no-store");
  EXPECT_EQ(res[bhttp::field::pragma], "no-cache");
  auto json = ParseJson(res.body());
  EXPECT_FALSE(json.fields().at("access_token").string_value().empty());
  EXPECT_TRUE(absl::EqualsIgnoreCase(json.fields().at("token_type").string_value(), "bearer"));
  EXPECT_EQ(json.fields().at("expires_in").number_value(), 3600);
  EXPECT_FALSE(json.fields().at("refresh_token").string_value().empty());

  // BellaDati's document sends the request by POST as well.
  Browser post(port());
  HttpResponse page = post.Send(FormPost("/auth/oauth/request",
                                         "client_id=8208110359&redirect_uri=http://service.belladati.com/auth"
                                         "&response_type=CODE&state=9"));
  EXPECT_EQ(page.result_int(), 200);
  EXPECT_TRUE(absl::StrContains(page.body(), "BellaDati"));
}

TEST_F(AuthorizationE2eTest, DiscoveryAdvertisesTheAuthorizationEndpoint) {
  auto res = HttpConnection(ioc_, port()).Send(Get("/.well-known/oauth-authorization-server"));
  auto doc = ParseJson(res.body());
  EXPECT_TRUE(absl::EndsWith(doc.fields().at("authorization_endpoint").string_value(), "/oauth/authorize"));
  EXPECT_EQ(doc.fields().at("response_types_supported").list_value().values(0).string_value(), "code");
  EXPECT_EQ(doc.fields().at("code_challenge_methods_supported").list_value().values(0).string_value(), "S256");
}

}  // namespace
}  // namespace tokend::testing
