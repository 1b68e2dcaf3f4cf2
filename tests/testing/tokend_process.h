// Runs the real `tokend` binary as a child process on free loopback ports,
// and `tokenctl` as a command, for end-to-end tests.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "tokend/v1/admin.grpc.pb.h"
#include "tokend/v1/token.grpc.pb.h"

namespace tokend::testing {

// A TCP port free right now on 127.0.0.1 (bound and released), chosen below
// the kernel's ephemeral range so no outgoing connection can take it first.
int FreePort();

struct TokendOptions {
  std::string database_url;  // empty: tokend runs its own private cluster
  std::string data_dir;      // empty: a fresh scratch directory
  std::map<std::string, std::string> env;  // extra TOKEND_* settings
  // PEM certificate and key: serve TLS, and trust the certificate as root.
  std::string tls_cert;
  std::string tls_key;
};

class TokendProcess {
 public:
  explicit TokendProcess(TokendOptions options);
  ~TokendProcess();  // SIGTERM, then SIGKILL after 20 s

  // Starts tokend and waits until its gRPC health service answers SERVING.
  // Fails the current test (and returns false) when it does not come up.
  bool Start();
  // Sends `signal` and waits for the exit; returns the exit status.
  int Stop(int signal = 15);

  const std::string& grpc_addr() const { return grpc_addr_; }
  const std::string& admin_addr() const { return admin_addr_; }
  const std::string& http_addr() const { return http_addr_; }
  const std::string& admin_key() const { return admin_key_; }
  const std::string& data_dir() const { return data_dir_; }
  const std::string& log_path() const { return log_path_; }
  pid_t pid() const { return pid_; }

  std::unique_ptr<v1::TokenService::Stub> TokenStub() const;
  std::unique_ptr<v1::AdminService::Stub> AdminStub() const;

  // Creates a client through the admin API; returns (client_id, secret).
  // `imported_secret` keeps a migrating client's existing secret.
  std::pair<std::string, std::string> CreateClient(const v1::Client& client,
                                                   const std::string& imported_secret = "") const;
  // Creates a user with a password; returns the user id.
  std::string CreateUser(const std::string& username, const std::string& password) const;

  // The environment tokenctl needs to reach this server.
  std::map<std::string, std::string> ClientEnv() const;

  // Credentials matching the server (TLS when it serves TLS).
  std::shared_ptr<grpc::ChannelCredentials> ChannelCredentials() const;

 private:
  TokendOptions options_;
  std::string grpc_addr_, admin_addr_, http_addr_, admin_key_, data_dir_, log_path_;
  pid_t pid_ = -1;
};

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs a binary with arguments and extra environment, capturing its output.
CommandResult RunCommand(const std::string& binary, const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env = {});

// A self-signed P-256 certificate for 127.0.0.1/localhost, made with the
// openssl CLI in `dir`; returns {cert_path, key_path} (empty on failure).
std::pair<std::string, std::string> MakeSelfSignedCert(const std::string& dir);

// The path of a built binary named by an environment variable set by ctest
// (TOKEND_BIN, TOKENCTL_BIN).
std::string BinaryFromEnv(const char* variable);

}  // namespace tokend::testing
