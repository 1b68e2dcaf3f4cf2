#include "services/http/http_bridge.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <optional>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "services/http/bridge_routes.h"
#include "services/http/listener.h"

namespace tokend::http {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

absl::StatusOr<tcp::endpoint> ResolveEndpoint(net::io_context& ioc, const std::string& address) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("http address needs host:port: ", address));
  }
  absl::string_view host = absl::string_view(address).substr(0, colon);
  if (absl::ConsumePrefix(&host, "[")) absl::ConsumeSuffix(&host, "]");
  boost::system::error_code ec;
  tcp::resolver resolver(ioc);
  auto results = resolver.resolve(host.empty() ? "0.0.0.0" : std::string(host),
                                  address.substr(colon + 1), tcp::resolver::passive, ec);
  if (ec || results.empty()) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", address, ": ", ec ? ec.message() : "no address"));
  }
  return results.begin()->endpoint();
}

absl::StatusOr<std::unique_ptr<net::ssl::context>> LoadTls(const HttpBridgeOptions& o) {
  auto ctx = std::make_unique<net::ssl::context>(net::ssl::context::tls_server);
  ctx->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                   net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                   net::ssl::context::no_tlsv1_1 | net::ssl::context::single_dh_use);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(o.tls_cert_file, ec);
  if (!ec) ctx->use_private_key_file(o.tls_key_file, net::ssl::context::pem, ec);
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot load the HTTP TLS certificate/key: ", ec.message()));
  }
  return ctx;
}

}  // namespace

struct HttpBridge::Runtime {
  std::unique_ptr<net::ssl::context> tls;  // declared first: outlives the sessions
  net::io_context ioc;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::shared_ptr<SessionEnv> env;
  std::shared_ptr<Listener> listener;
  std::vector<std::thread> threads;
};

HttpBridge::HttpBridge(HttpBridgeOptions options, TokenService& core, BoundedExecutor& executor)
    : options_(std::move(options)), core_(core), executor_(executor) {}

HttpBridge::~HttpBridge() { Stop(std::chrono::system_clock::now()); }

absl::Status HttpBridge::Start() {
  if (rt_) return absl::FailedPreconditionError("the HTTP bridge was already started");
  auto rt = std::make_unique<Runtime>();
  if (!options_.tls_cert_file.empty() || !options_.tls_key_file.empty()) {
    auto tls = LoadTls(options_);
    if (!tls.ok()) return tls.status();
    rt->tls = *std::move(tls);
  }
  auto endpoint = ResolveEndpoint(rt->ioc, options_.address);
  if (!endpoint.ok()) return endpoint.status();
  SessionLimits limits{options_.read_timeout, options_.max_header_bytes, options_.max_body_bytes};
  rt->env = std::make_shared<SessionEnv>(limits, BuildRouter(options_, core_), executor_,
                                         options_.max_connections);
  if (options_.metrics != nullptr) {
    options_.metrics->Add([env = std::weak_ptr<SessionEnv>(rt->env)](metrics::Exposition& out) {
      if (auto e = env.lock()) {
        e->router.Collect(out);
        out.Family("tokend_http_open_connections", "gauge", "Open HTTP connections.");
        out.Sample("tokend_http_open_connections", {}, static_cast<uint64_t>(e->tracker.connections()));
      }
    });
  }
  rt->listener = std::make_shared<Listener>(rt->ioc, rt->env, rt->tls.get());
  if (auto st = rt->listener->Open(*endpoint); !st.ok()) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options_.address, ": ", st.message()));
  }
  rt->work.emplace(rt->ioc.get_executor());
  rt->listener->Start();
  for (int i = 0; i < std::max(1, options_.io_threads); ++i) {
    rt->threads.emplace_back([ioc = &rt->ioc] { ioc->run(); });
  }
  rt_ = std::move(rt);
  return absl::OkStatus();
}

void HttpBridge::Stop(std::chrono::system_clock::time_point drain_deadline) {
  if (!rt_ || stopped_) return;
  stopped_ = true;
  ConnectionTracker& tracker = rt_->env->tracker;
  tracker.BeginStopping();
  rt_->listener->Stop();
  tracker.WaitForRequests(drain_deadline);
  tracker.CloseAll();
  tracker.WaitForTasks();
  tracker.WaitForConnections(std::chrono::system_clock::now() + std::chrono::seconds(1));
  rt_->work.reset();
  rt_->ioc.stop();
  for (auto& t : rt_->threads) t.join();
}

uint16_t HttpBridge::port() const { return rt_ ? rt_->listener->port() : 0; }

}  // namespace tokend::http
