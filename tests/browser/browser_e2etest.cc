// Runs tests/browser/authorize_flow.mjs (Debian's Chromium driven by
// playwright-core) against a real tokend over PostgreSQL, and checks that it
// passed every step and left a screenshot of each page.
#include <filesystem>
#include <iostream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/testing/pg_harness.h"
#include "tests/testing/tokend_process.h"

namespace tokend::testing {
namespace {

namespace fs = std::filesystem;

TEST(BrowserE2eTest, AuthorizationCodeFlowInChromium) {
  const char* source = std::getenv("TOKEND_SOURCE_DIR");
  const char* artifacts = std::getenv("BROWSER_ARTIFACTS_DIR");
  ASSERT_NE(source, nullptr);
  ASSERT_NE(artifacts, nullptr);
  ASSERT_TRUE(fs::exists("/usr/bin/chromium")) << "scripts/install-deps.sh installs chromium";
  std::string script = std::string(source) + "/tests/browser/authorize_flow.mjs";
  ASSERT_TRUE(fs::exists(std::string(source) + "/tests/browser/node_modules/playwright-core"))
      << "scripts/test.sh runs npm install in tests/browser";

  TokendProcess server({.database_url = FreshDatabase("browser")});
  ASSERT_TRUE(server.Start());
  int callback_port = FreePort();
  v1::Client c;
  c.set_name("Test Application");
  c.set_homepage_url("https://app.example/");
  c.add_grant_types("authorization_code");
  c.add_grant_types("refresh_token");
  c.add_redirect_uris(absl::StrCat("http://127.0.0.1:", callback_port, "/callback"));
  c.add_allowed_scopes("email");
  c.add_allowed_scopes("badge");
  c.add_default_scopes("email");
  auto app = server.CreateClient(c);
  server.CreateUser("alice", "wonderland");

  std::string shots = std::string(artifacts) + "/authorize";
  fs::remove_all(shots);
  auto r = RunCommand("/usr/bin/node", {script},
                      {{"TOKEND_HTTP", "http://" + server.http_addr()},
                       {"CLIENT_ID", app.first},
                       {"CLIENT_SECRET", app.second},
                       {"USERNAME", "alice"},
                       {"PASSWORD", "wonderland"},
                       {"USER_EMAIL", "alice@example.test"},
                       {"CALLBACK_PORT", std::to_string(callback_port)},
                       {"SCREENSHOT_DIR", shots}});
  std::cout << r.out << r.err;
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(r.out, "ok - a remembered consent goes straight back"));
  for (const char* shot : {"1-login.png", "2-login-failed.png", "3-consent.png", "4-callback.png"}) {
    EXPECT_TRUE(fs::exists(shots + "/" + shot)) << shot;
    EXPECT_GT(fs::exists(shots + "/" + shot) ? fs::file_size(shots + "/" + shot) : 0, 1000u) << shot;
  }
}

}  // namespace
}  // namespace tokend::testing
