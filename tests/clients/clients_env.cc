#include "tests/clients/clients_env.h"

#include <cstdlib>
#include <filesystem>
#include <memory>

#include "gtest/gtest.h"
#include "tests/testing/pg_harness.h"

namespace tokend::testing {
namespace {

ClientsEnv& Mutable() {
  static auto* env = new ClientsEnv();
  return *env;
}

class Environment : public ::testing::Environment {
 public:
  void SetUp() override {
    ClientsEnv& e = Mutable();
    server_ =
        std::make_unique<TokendProcess>(TokendOptions{.database_url = FreshDatabase("clients")});
    ASSERT_TRUE(server_->Start());
    e.server = server_.get();

    v1::Client app;
    app.set_name("clients-app");
    for (const char* g : {"client_credentials", "password", "refresh_token"})
      app.add_grant_types(g);
    app.add_allowed_scopes("read");
    app.add_allowed_scopes("write");
    app.add_default_scopes("read");
    app.set_max_user_sessions(0);
    std::tie(e.app_id, e.app_secret) = server_->CreateClient(app);

    v1::Client short_lived;
    short_lived.set_name("clients-short");
    short_lived.add_grant_types("client_credentials");
    short_lived.add_allowed_scopes("read");
    short_lived.set_access_token_ttl_seconds(4);
    std::tie(e.short_id, e.short_secret) = server_->CreateClient(short_lived);

    v1::Client rs;
    rs.set_name("clients-resource-server");
    rs.add_grant_types("client_credentials");
    rs.add_permissions("introspect");
    std::tie(e.rs_id, e.rs_secret) = server_->CreateClient(rs);

    e.username = "clients-alice";
    e.password = "correct horse battery staple";
    server_->CreateUser(e.username, e.password);

    e.source_dir = BinaryFromEnv("TOKEND_SOURCE_DIR");
    e.build_dir = BinaryFromEnv("CLIENTS_BUILD_DIR");
    std::filesystem::create_directories(e.build_dir);
    e.vars = {{"TOKEND_GRPC_ADDR", server_->grpc_addr()},
              {"TOKEND_ADMIN_ADDR", server_->admin_addr()},
              {"TOKEND_ADMIN_KEY", server_->admin_key()},
              {"TOKEND_ISSUER", "http://" + server_->http_addr()},  // tokend's default issuer
              {"TOKEND_CLIENT_ID", e.app_id},
              {"TOKEND_CLIENT_SECRET", e.app_secret},
              {"TOKEND_SHORT_CLIENT_ID", e.short_id},
              {"TOKEND_SHORT_CLIENT_SECRET", e.short_secret},
              {"TOKEND_RS_CLIENT_ID", e.rs_id},
              {"TOKEND_RS_CLIENT_SECRET", e.rs_secret},
              {"TOKEND_USERNAME", e.username},
              {"TOKEND_PASSWORD", e.password},
              {"CLIENTS_BUILD_DIR", e.build_dir}};
  }

  void TearDown() override {
    Mutable().server = nullptr;
    server_.reset();
  }

 private:
  std::unique_ptr<TokendProcess> server_;
};

[[maybe_unused]] ::testing::Environment* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new Environment);

}  // namespace

const ClientsEnv& Clients() { return Mutable(); }

}  // namespace tokend::testing
