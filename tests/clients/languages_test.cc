// The Python, Go, TypeScript and Java clients' own test suites, each run as
// its runner (pytest, go test, node --test, JUnit) against the live tokend, then a
// polyglot round trip: a token issued through Go, introspected through
// Python, revoked through TypeScript, found inactive through C++.
#include <iostream>
#include <regex>

#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "tests/clients/clients_env.h"
#include "token_client.h"

namespace tokend::testing {
namespace {

// Runs a language's clients/<lang>/test.sh with the TOKEND_* settings.
CommandResult RunSuite(const std::string& lang) {
  const ClientsEnv& env = Clients();
  auto r = RunCommand("/bin/bash", {env.source_dir + "/clients/" + lang + "/test.sh"}, env.vars);
  std::cout << "---- " << lang << " ----\n" << r.out << r.err;
  return r;
}

// The first number captured by `pattern` in `text`, or -1.
int Count(const std::string& text, const std::string& pattern) {
  std::smatch m;
  return std::regex_search(text, m, std::regex(pattern)) ? std::stoi(m[1].str()) : -1;
}

TEST(LanguagesTest, Python) {
  auto r = RunSuite("python");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_GE(Count(r.out, R"((\d+) passed)"), 28) << "pytest summary missing";
  EXPECT_FALSE(absl::StrContains(r.out, "failed"));
}

TEST(LanguagesTest, Go) {
  auto r = RunSuite("go");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(std::regex_search(
      r.out, std::regex(R"(^ok\s+tokend\.internal/clients/go\s)", std::regex::multiline)))
      << "go test summary missing";
}

TEST(LanguagesTest, TypeScript) {
  auto r = RunSuite("typescript");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_GE(Count(r.out, R"(# pass (\d+))"), 22) << "node --test summary missing";
  EXPECT_EQ(Count(r.out, R"(# fail (\d+))"), 0);
}

TEST(LanguagesTest, Java) {
  auto r = RunSuite("java");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_GE(Count(r.out, R"(OK \((\d+) tests\))"), 23) << "JUnit summary missing";
}

// Needs the Go GOPATH and the compiled TypeScript that the suites above left
// in CLIENTS_BUILD_DIR and clients/typescript/dist.
TEST(LanguagesTest, PolyglotRoundTrip) {
  const ClientsEnv& env = Clients();
  std::map<std::string, std::string> go_env = env.vars;
  go_env.insert({{"GOPATH", env.build_dir + "/go/gopath:/usr/share/gocode"},
                 {"GO111MODULE", "off"},
                 {"GOFLAGS", ""},
                 {"GOPROXY", "off"},
                 {"GOCACHE", env.build_dir + "/go/cache"}});
  auto issued = RunCommand("/usr/bin/go",
                           {"run", env.source_dir + "/tests/clients/polyglot/issue.go"}, go_env);
  ASSERT_EQ(issued.exit_code, 0) << issued.out << issued.err;
  std::string token(absl::StripAsciiWhitespace(issued.out));
  ASSERT_FALSE(token.empty());

  std::map<std::string, std::string> py_env = env.vars;
  py_env["PYTHONPATH"] = env.source_dir + "/clients/python/src:" + env.build_dir + "/python/gen";
  py_env["PYTHONDONTWRITEBYTECODE"] = "1";
  auto introspected =
      RunCommand("/usr/bin/python3",
                 {env.source_dir + "/tests/clients/polyglot/introspect.py", token}, py_env);
  ASSERT_EQ(introspected.exit_code, 0) << introspected.out << introspected.err;
  EXPECT_TRUE(absl::StrContains(introspected.out, "\"active\": true")) << introspected.out;
  EXPECT_TRUE(absl::StrContains(introspected.out, "\"client_id\": \"" + env.app_id + "\""))
      << introspected.out;

  auto revoked = RunCommand(
      "/usr/bin/node", {env.source_dir + "/clients/typescript/dist/test/polyglot-revoke.js", token},
      env.vars);
  ASSERT_EQ(revoked.exit_code, 0) << revoked.out << revoked.err;

  client::TokenClient cpp(
      grpc::CreateChannel(env.server->grpc_addr(), grpc::InsecureChannelCredentials()), env.app_id,
      env.app_secret);
  auto info = cpp.Introspect(token);
  ASSERT_TRUE(info.ok()) << info.error().description;
  EXPECT_FALSE(info->active);
  std::cout << "polyglot: Go issued, Python saw active, TypeScript revoked, C++ sees inactive\n";
}

}  // namespace
}  // namespace tokend::testing
