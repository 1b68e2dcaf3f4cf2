#include "tests/testing/tokend_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/common/secrets.h"
#include "tests/testing/pg_harness.h"
#include "tokend_client.h"

namespace tokend::testing {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Reads the standard gRPC health service of `addr` once.
bool Serving(const std::string& addr, const std::shared_ptr<grpc::ChannelCredentials>& creds) {
  auto channel = grpc::CreateChannel(addr, creds);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
  // grpc.health.v1.HealthCheckRequest{service: ""} serialises to no bytes.
  grpc::Slice empty("");
  grpc::ByteBuffer request(&empty, 1), response;
  grpc::GenericStub stub(channel);
  grpc::Status status;
  bool done = false;
  std::mutex mu;
  std::condition_variable cv;
  stub.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                 [&](grpc::Status s) {
                   std::lock_guard lock(mu);
                   status = s;
                   done = true;
                   cv.notify_all();
                 });
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return done; });
  return status.ok();
}

// The first port of the kernel's range for ephemeral (outgoing) ports.
int FirstEphemeralPort() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 32768;
  in >> low;
  return low;
}

sockaddr_in Loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  return addr;
}

bool CanBind(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr = Loopback(port);
  bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

}  // namespace

// Below the ephemeral range: a port handed out by bind(0) is ephemeral, and
// between its release and the server's bind any outgoing connection (say a
// load generator reconnecting) may take it as its local port.
int FreePort() {
  constexpr int kLowest = 20000;
  int ephemeral_low = FirstEphemeralPort();
  thread_local std::mt19937 pick(std::random_device{}() ^ static_cast<unsigned>(getpid()));
  if (ephemeral_low - kLowest >= 1000) {
    std::uniform_int_distribution<int> port(kLowest, ephemeral_low - 1);
    for (int attempt = 0; attempt < 200; ++attempt) {
      int candidate = port(pick);
      if (CanBind(candidate)) return candidate;
    }
  }
  // No room below the range (or all taken): let the kernel choose.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr = Loopback(0);
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ADD_FAILURE() << "no free port";
  }
  close(fd);
  return ntohs(addr.sin_port);
}

std::string BinaryFromEnv(const char* variable) {
  const char* v = std::getenv(variable);
  if (v == nullptr) {
    ADD_FAILURE() << variable << " is not set (run the tests through ctest)";
    return "";
  }
  return v;
}

TokendProcess::TokendProcess(TokendOptions options) : options_(std::move(options)) {
  data_dir_ = options_.data_dir.empty() ? ScratchDir("tokend") : options_.data_dir;
  std::error_code ignored;  // a given data_dir may not exist yet: the log goes there
  std::filesystem::create_directories(data_dir_, ignored);
  grpc_addr_ = absl::StrCat("127.0.0.1:", FreePort());
  admin_addr_ = absl::StrCat("127.0.0.1:", FreePort());
  http_addr_ = absl::StrCat("127.0.0.1:", FreePort());
  admin_key_ = secrets::NewToken("tdk_");
  log_path_ = data_dir_ + "/tokend.log";
}

TokendProcess::~TokendProcess() {
  if (pid_ > 0) Stop(SIGTERM);
}

bool TokendProcess::Start() {
  std::string binary = BinaryFromEnv("TOKEND_BIN");
  std::map<std::string, std::string> env = {
      {"TOKEND_DATA_DIR", data_dir_},     {"TOKEND_GRPC_ADDR", grpc_addr_},
      {"TOKEND_ADMIN_ADDR", admin_addr_}, {"TOKEND_HTTP_ADDR", http_addr_},
      {"TOKEND_ADMIN_KEY", admin_key_},   {"TOKEND_DATABASE_URL", options_.database_url},
      {"TOKEND_DRAIN_TIMEOUT_SECONDS", "5"},
      {"TOKEND_TLS_CERT", options_.tls_cert},   {"TOKEND_TLS_KEY", options_.tls_key}};
  for (const auto& [k, v] : options_.env) env[k] = v;
  pid_ = fork();
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a crashed test
    int log = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(log, 1);
    dup2(log, 2);
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    execl(binary.c_str(), binary.c_str(), nullptr);
    _exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      ADD_FAILURE() << "tokend exited at start; log:\n" << ReadAll(log_path_);
      return false;
    }
    if (Serving(grpc_addr_, ChannelCredentials()) && Serving(admin_addr_, ChannelCredentials())) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ADD_FAILURE() << "tokend did not become ready; log:\n" << ReadAll(log_path_);
  return false;
}

int TokendProcess::Stop(int signal) {
  if (pid_ <= 0) return -1;
  kill(pid_, signal);
  int status = 0;
  for (int i = 0; i < 200; ++i) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

std::shared_ptr<grpc::ChannelCredentials> TokendProcess::ChannelCredentials() const {
  if (options_.tls_cert.empty()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = ReadAll(options_.tls_cert);
  return grpc::SslCredentials(ssl);
}

std::unique_ptr<v1::TokenService::Stub> TokendProcess::TokenStub() const {
  return v1::TokenService::NewStub(grpc::CreateChannel(grpc_addr_, ChannelCredentials()));
}

std::unique_ptr<v1::AdminService::Stub> TokendProcess::AdminStub() const {
  return v1::AdminService::NewStub(grpc::CreateChannel(admin_addr_, ChannelCredentials()));
}

std::pair<std::string, std::string> TokendProcess::CreateClient(
    const v1::Client& client, const std::string& imported_secret) const {
  grpc::ClientContext ctx;
  client::AddAdminKey(&ctx, admin_key_);
  v1::CreateClientRequest req;
  *req.mutable_client() = client;
  req.set_imported_secret(imported_secret);
  v1::CreateClientResponse resp;
  grpc::Status st = AdminStub()->CreateClient(&ctx, req, &resp);
  EXPECT_TRUE(st.ok()) << st.error_message();
  return {resp.client().client_id(), resp.client_secret()};
}

std::string TokendProcess::CreateUser(const std::string& username, const std::string& password) const {
  grpc::ClientContext ctx;
  client::AddAdminKey(&ctx, admin_key_);
  v1::CreateUserRequest req;
  req.mutable_user()->set_username(username);
  req.mutable_user()->set_email(username + "@example.test");
  req.set_password(password);
  v1::CreateUserResponse resp;
  grpc::Status st = AdminStub()->CreateUser(&ctx, req, &resp);
  EXPECT_TRUE(st.ok()) << st.error_message();
  return resp.user().id();
}

std::map<std::string, std::string> TokendProcess::ClientEnv() const {
  return {{"TOKEND_GRPC_ADDR", grpc_addr_},
          {"TOKEND_ADMIN_ADDR", admin_addr_},
          {"TOKEND_ADMIN_KEY", admin_key_},
          {"TOKEND_DATA_DIR", data_dir_}};
}

std::pair<std::string, std::string> MakeSelfSignedCert(const std::string& dir) {
  std::string cert = dir + "/cert.pem", key = dir + "/key.pem";
  std::string cmd = absl::StrCat(
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "
      "/CN=localhost -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout ", key, " -out ",
      cert, " >/dev/null 2>&1");
  if (std::system(cmd.c_str()) != 0) {
    ADD_FAILURE() << "openssl could not make a certificate";
    return {};
  }
  return {cert, key};
}

CommandResult RunCommand(const std::string& binary, const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env) {
  std::string dir = ScratchDir("cmd");
  std::string out_path = dir + "/out", err_path = dir + "/err";
  pid_t pid = fork();
  if (pid == 0) {
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(out, 1);
    dup2(err, 2);
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(binary.c_str()));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = ReadAll(out_path);
  r.err = ReadAll(err_path);
  return r;
}

}  // namespace tokend::testing
