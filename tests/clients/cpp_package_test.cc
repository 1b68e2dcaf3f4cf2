// The C++ client as an installed CMake package: `cmake --install` of the
// tokend_client component into a scratch prefix, then a separate project that
// finds it with find_package(tokend) builds and runs clients/cpp/README.md's
// example against the live tokend.
#include <fstream>
#include <iostream>
#include <iterator>
#include <regex>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "tests/clients/clients_env.h"
#include "tests/testing/pg_harness.h"

namespace tokend::testing {
namespace {

TEST(CppPackageTest, FindPackageConsumerBuildsAndRunsTheReadmeExample) {
  const ClientsEnv& env = Clients();
  std::string cmake = BinaryFromEnv("CMAKE_COMMAND");
  std::string dir = ScratchDir("cpp_consumer");
  std::string prefix = dir + "/prefix";

  auto install = RunCommand(cmake, {"--install", BinaryFromEnv("TOKEND_BUILD_DIR"), "--component",
                                    "tokend_client", "--prefix", prefix});
  ASSERT_EQ(install.exit_code, 0) << install.out << install.err;

  std::smatch m;
  std::ifstream in(env.source_dir + "/clients/cpp/README.md");
  std::string readme{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  ASSERT_TRUE(std::regex_search(readme, m, std::regex("```cpp\n([^`]*)```")));
  std::ofstream(dir + "/main.cc") << m[1].str();

  auto configure =
      RunCommand(cmake, {"-S", env.source_dir + "/tests/clients/cpp_consumer", "-B", dir + "/build",
                         "-DCMAKE_PREFIX_PATH=" + prefix, "-DEXAMPLE_SOURCE=" + dir + "/main.cc"});
  ASSERT_EQ(configure.exit_code, 0) << configure.out << configure.err;
  auto build = RunCommand(cmake, {"--build", dir + "/build", "-j2"});
  ASSERT_EQ(build.exit_code, 0) << build.out << build.err;

  auto run = RunCommand(dir + "/build/readme_example", {}, env.vars);
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_TRUE(absl::StrContains(run.out, "active: 1 scopes: read")) << run.out << run.err;
  std::cout << run.out;
}

}  // namespace
}  // namespace tokend::testing
