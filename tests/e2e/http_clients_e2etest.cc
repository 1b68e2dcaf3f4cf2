// The HTTP bridge driven by clients we did not write: the seeds' curl lines
// (read from ../shared/seeds, only the host changed) and Python's
// requests-oauthlib, both against a live tokend serving HTTPS, as the seeds'
// services do (the clients trust our test CA through CURL_CA_BUNDLE and
// REQUESTS_CA_BUNDLE).
#include <iostream>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "tests/testing/pg_harness.h"
#include "tests/testing/tokend_process.h"

namespace tokend::testing {
namespace {

TEST(HttpClientsTest, SeedCurlLinesAndRequestsOAuthlib) {
  auto [cert, key] = MakeSelfSignedCert(ScratchDir("http_tls"));
  ASSERT_FALSE(cert.empty());
  TokendProcess server({.database_url = FreshDatabase("http_clients"), .tls_cert = cert, .tls_key = key});
  ASSERT_TRUE(server.Start());
  // The seeds' clients, migrated with their documented secrets.
  v1::Client bellus;
  bellus.set_client_id("application");
  for (const char* g : {"client_credentials", "password", "refresh_token"}) bellus.add_grant_types(g);
  ASSERT_EQ(server.CreateClient(bellus, "secret").second, "secret");
  v1::Client pix4d;
  pix4d.set_client_id("YuB7fu");
  pix4d.add_grant_types("client_credentials");
  pix4d.add_allowed_scopes("read");
  pix4d.add_allowed_scopes("write");
  pix4d.add_default_scopes("read");
  pix4d.add_default_scopes("write");
  pix4d.set_access_token_ttl_seconds(36000);
  ASSERT_EQ(server.CreateClient(pix4d, "GMSVvt8dF").second, "GMSVvt8dF");
  server.CreateUser("pedroetb", "password");

  std::string source = BinaryFromEnv("TOKEND_SOURCE_DIR");
  auto r = RunCommand("/usr/bin/python3", {source + "/tests/e2e/python/seed_clients_test.py"},
                      {{"TOKEND_HTTP", "https://" + server.http_addr()},
                       {"SEEDS_DIR", source + "/../shared/seeds"},
                       {"CURL_CA_BUNDLE", cert},
                       {"REQUESTS_CA_BUNDLE", cert},
                       {"JWT_READY", "1"}});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(absl::StrContains(r.out, " passed, 0 failed")) << r.out << r.err;
  std::cout << r.out;
}

}  // namespace
}  // namespace tokend::testing
