// The HTTP bridge as an HTTP/1.1 server: routing, discovery, health, limits,
// timeouts, pipelining, keep-alive, the connection cap, many connections,
// TLS and draining on stop.
#include <sys/resource.h>

#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tests/unit/http_bridge_fixture.h"

namespace tokend::testing {
namespace {

using std::chrono::milliseconds;

class TransportTest : public BridgeTest {};

std::vector<std::string> Strings(const google::protobuf::Value& list) {
  std::vector<std::string> out;
  for (const auto& v : list.list_value().values()) out.push_back(v.string_value());
  return out;
}

TEST_F(TransportTest, DiscoveryDocument) {
  StartBridge();
  for (const char* path :
       {"/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"}) {
    auto res = Call(Get(path));
    ASSERT_EQ(res.result_int(), 200) << path;
    EXPECT_EQ(res[bhttp::field::cache_control], "max-age=300");
    auto json = ParseJson(res.body());
    const auto& f = json.fields();
    EXPECT_EQ(f.at("issuer").string_value(), "https://issuer.test");
    EXPECT_EQ(f.at("token_endpoint").string_value(), "https://issuer.test/oauth/token");
    EXPECT_EQ(f.at("introspection_endpoint").string_value(),
              "https://issuer.test/oauth/introspect");
    EXPECT_EQ(f.at("revocation_endpoint").string_value(), "https://issuer.test/oauth/revoke");
    EXPECT_EQ(Strings(f.at("grant_types_supported")),
              (std::vector<std::string>{"client_credentials", "password", "refresh_token"}));
    const std::vector<std::string> methods = {"client_secret_basic", "client_secret_post"};
    EXPECT_EQ(Strings(f.at("token_endpoint_auth_methods_supported")), methods);
    EXPECT_EQ(Strings(f.at("introspection_endpoint_auth_methods_supported")), methods);
    EXPECT_EQ(Strings(f.at("revocation_endpoint_auth_methods_supported")), methods);
    EXPECT_TRUE(Strings(f.at("response_types_supported")).empty());
    EXPECT_FALSE(f.contains("scopes_supported"));
    EXPECT_FALSE(f.contains("code_challenge_methods_supported"));
  }
}

TEST_F(TransportTest, DiscoveryScopesAndTrailingSlashIssuer) {
  StartBridge([](http::HttpBridgeOptions& o) {
    o.issuer = "https://id.example/";
    o.scopes_supported = {"read", "write"};
  });
  auto json = ParseJson(Call(Get("/.well-known/oauth-authorization-server")).body());
  EXPECT_EQ(json.fields().at("token_endpoint").string_value(), "https://id.example/oauth/token");
  EXPECT_EQ(Strings(json.fields().at("scopes_supported")),
            (std::vector<std::string>{"read", "write"}));
}

TEST_F(TransportTest, HealthAndReadiness) {
  StartBridge();
  auto res = Call(Get("/healthz?probe=1"));
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "{\"status\":\"ok\"}");
  EXPECT_EQ(Call(Get("/readyz")).result_int(), 200);
  ready_ = false;
  EXPECT_EQ(Call(Get("/readyz")).result_int(), 503);
}

TEST_F(TransportTest, NotFoundAndMethodNotAllowed) {
  StartBridge();
  auto res = Call(Get("/nope"));
  EXPECT_EQ(res.result_int(), 404);
  EXPECT_EQ(JsonString(res, "error"), "not_found");
  res = Call(Get("/oauth/token"));
  EXPECT_EQ(res.result_int(), 405);
  EXPECT_EQ(res[bhttp::field::allow], "POST");
  res = Call(FormPost("/healthz", "x=1"));
  EXPECT_EQ(res.result_int(), 405);
  EXPECT_EQ(res[bhttp::field::allow], "GET");
}

TEST_F(TransportTest, BodyLimit) {
  StartBridge();
  std::string at_limit = "grant_type=client_credentials&pad=";
  at_limit.resize(16 * 1024, 'x');
  EXPECT_EQ(Call(FormPost("/oauth/token", at_limit, AppBasic())).result_int(), 200);

  auto conn = Connect();
  auto res = conn->Send(FormPost("/oauth/token", at_limit + "x", AppBasic()));
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_EQ(JsonString(res, "error"), "invalid_request");
  EXPECT_TRUE(conn->ClosedByPeer(milliseconds(3000)));

  // Chunked: the limit applies while the body streams in.
  conn = Connect();
  std::string chunk(10000, 'a');
  conn->WriteRaw(absl::StrCat(
      "POST /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
      "Transfer-Encoding: chunked\r\n\r\n2710\r\n",
      chunk, "\r\n2710\r\n", chunk, "\r\n0\r\n\r\n"));
  EXPECT_EQ(conn->Read().result_int(), 413);
}

TEST_F(TransportTest, HeaderLimit) {
  StartBridge();
  auto req = Get("/healthz");
  req.set("X-Pad", std::string(9 * 1024, 'h'));
  auto conn = Connect();
  auto res = conn->Send(req);
  EXPECT_EQ(res.result_int(), 431);
  EXPECT_TRUE(conn->ClosedByPeer(milliseconds(3000)));
}

TEST_F(TransportTest, MalformedHttpIsBadRequest) {
  StartBridge();
  for (std::string raw :
       {std::string("GARBAGE\r\n\r\n"), std::string("\x16\x03\x01\x02\x00\x01\x00", 7) + "\r\n\r\n",
        std::string("POST /oauth/token HTTP/1.1\r\nContent-Length: abc\r\n\r\n")}) {
    auto conn = Connect();
    conn->WriteRaw(raw);
    auto res = conn->Read();
    EXPECT_EQ(res.result_int(), 400);
    EXPECT_EQ(JsonString(res, "error"), "invalid_request");
    EXPECT_TRUE(conn->ClosedByPeer(milliseconds(3000)));
  }
}

TEST_F(TransportTest, SlowClientIsCut) {
  StartBridge([](http::HttpBridgeOptions& o) { o.read_timeout = milliseconds(300); });
  auto conn = Connect();
  auto start = std::chrono::steady_clock::now();
  conn->WriteRaw("POST /oauth/token HTTP/1.1\r\nHost: x\r\n");  // never finished
  EXPECT_TRUE(conn->ClosedByPeer(milliseconds(5000)));
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(250));

  // An idle keep-alive connection is closed after the same timeout.
  conn = Connect();
  EXPECT_EQ(conn->Send(Get("/healthz")).result_int(), 200);
  EXPECT_TRUE(conn->ClosedByPeer(milliseconds(5000)));
}

TEST_F(TransportTest, PipelinedRequestsAnsweredInOrder) {
  StartBridge();
  auto conn = Connect();
  std::string body = "grant_type=client_credentials";
  conn->WriteRaw(absl::StrCat(
      "POST /oauth/token HTTP/1.1\r\nHost: x\r\nAuthorization: ", AppBasic(),
      "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ", body.size(),
      "\r\n\r\n", body, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET /missing HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto first = conn->Read();
  EXPECT_EQ(first.result_int(), 200);
  EXPECT_FALSE(JsonString(first, "access_token").empty());
  auto second = conn->Read();
  EXPECT_EQ(second.body(), "{\"status\":\"ok\"}");
  EXPECT_EQ(conn->Read().result_int(), 404);
}

TEST_F(TransportTest, KeepAliveAndClose) {
  StartBridge();
  auto conn = Connect();
  for (int i = 0; i < 5; ++i) {
    auto res = conn->Send(FormPost("/oauth/token", "grant_type=client_credentials", AppBasic()));
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_TRUE(res.keep_alive());
  }
  auto req = Get("/healthz");
  req.keep_alive(false);
  auto res = conn->Send(req);
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(conn->ClosedByPeer(milliseconds(3000)));

  conn = Connect();  // HTTP/1.0 without keep-alive
  conn->WriteRaw("GET /healthz HTTP/1.0\r\n\r\n");
  EXPECT_EQ(conn->Read().result_int(), 200);
  EXPECT_TRUE(conn->ClosedByPeer(milliseconds(3000)));
}

TEST_F(TransportTest, ExpectContinue) {
  StartBridge();
  auto conn = Connect();
  std::string body = "grant_type=client_credentials";
  conn->WriteRaw(
      absl::StrCat("POST /oauth/token HTTP/1.1\r\nHost: x\r\nAuthorization: ", AppBasic(),
                   "\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                   "Expect: 100-continue\r\nContent-Length: ",
                   body.size(), "\r\n\r\n"));
  EXPECT_EQ(conn->Read().result_int(), 100);
  conn->WriteRaw(body);
  EXPECT_EQ(conn->Read().result_int(), 200);
}

TEST_F(TransportTest, ConnectionCap) {
  StartBridge([](http::HttpBridgeOptions& o) { o.max_connections = 2; });
  auto a = Connect();
  auto b = Connect();
  EXPECT_EQ(a->Send(Get("/healthz")).result_int(), 200);
  EXPECT_EQ(b->Send(Get("/healthz")).result_int(), 200);
  auto over = Connect();
  EXPECT_TRUE(over->ClosedByPeer(milliseconds(3000)));
  a.reset();  // frees a slot once the server notices
  bool served = false;
  for (int i = 0; i < 50 && !served; ++i) {
    auto c = Connect();
    c->WriteRaw("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    beast::error_code ec;
    served = c->Read(&ec).result_int() == 200;
    if (!served) std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_TRUE(served);
}

TEST_F(TransportTest, ThousandKeepAliveConnections) {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur < 4096) {
    limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, 4096);
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  StartBridge();
  std::vector<std::unique_ptr<HttpConnection>> conns;
  for (int i = 0; i < 1000; ++i) conns.push_back(Connect());
  for (int round = 0; round < 2; ++round) {
    int ok = 0;
    for (auto& c : conns) {
      auto res = c->Send(FormPost("/oauth/token", "grant_type=client_credentials", AppBasic()));
      ok += res.result_int() == 200 && res.keep_alive();
    }
    EXPECT_EQ(ok, 1000) << "round " << round;
  }
  // Still open, still served.
  EXPECT_EQ(conns.front()->Send(Get("/healthz")).result_int(), 200);
  EXPECT_EQ(conns.back()->Send(Get("/healthz")).result_int(), 200);
}

TEST_F(TransportTest, StopDrainsRequestInFlight) {
  StartBridge([](http::HttpBridgeOptions& o) {
    o.readiness = [] {
      std::this_thread::sleep_for(milliseconds(300));
      return true;
    };
  });
  auto conn = Connect();
  auto idle = Connect();
  EXPECT_EQ(idle->Send(Get("/healthz")).result_int(), 200);
  conn->WriteRaw("GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n");
  std::this_thread::sleep_for(milliseconds(100));
  std::thread stopper(
      [this] { bridge_->Stop(std::chrono::system_clock::now() + std::chrono::seconds(5)); });
  auto res = conn->Read();
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(idle->ClosedByPeer(milliseconds(5000)));
  stopper.join();
}

TEST_F(TransportTest, BindFailureNamesTheAddress) {
  StartBridge();
  std::string address = absl::StrCat("127.0.0.1:", bridge_->port());
  http::HttpBridgeOptions opts;
  opts.address = address;
  http::HttpBridge second(opts, fake_.core(), executor_);
  auto st = second.Start();
  EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(absl::StrContains(st.message(), address)) << st.message();
}

TEST_F(TransportTest, Tls) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / absl::StrCat("tokend-http-tls-", getpid());
  fs::create_directories(dir);
  std::string cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string();
  std::string cmd =
      absl::StrCat("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -keyout ",
                   key, " -out ", cert, " >/dev/null 2>&1");
  // openssl is installed by scripts/install-deps.sh; its absence is a failure.
  ASSERT_EQ(std::system(cmd.c_str()), 0) << "the openssl command failed";
  StartBridge([&](http::HttpBridgeOptions& o) {
    o.tls_cert_file = cert;
    o.tls_key_file = key;
  });
  net::ssl::context ctx(net::ssl::context::tls_client);
  ctx.set_verify_mode(net::ssl::verify_none);
  beast::ssl_stream<beast::tcp_stream> stream(ioc_, ctx);
  beast::get_lowest_layer(stream).connect(
      tcp::endpoint(net::ip::make_address("127.0.0.1"), bridge_->port()));
  stream.handshake(net::ssl::stream_base::client);
  for (int i = 0; i < 2; ++i) {  // keep-alive over TLS
    auto req = FormPost("/oauth/token", "grant_type=client_credentials", AppBasic());
    req.prepare_payload();
    bhttp::write(stream, req);
    beast::flat_buffer buffer;
    HttpResponse res;
    bhttp::read(stream, buffer, res);
    EXPECT_EQ(res.result_int(), 200) << res.body();
  }
  fs::remove_all(dir);

  // A plain-text client gets nothing useful from a TLS port.
  auto plain = Connect();
  plain->WriteRaw("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(plain->ClosedByPeer(milliseconds(5000)));
}

}  // namespace
}  // namespace tokend::testing
