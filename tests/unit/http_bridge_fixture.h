// A fixture running the HTTP bridge over a real TokenService on in-memory
// fakes, on an ephemeral loopback port.
#pragma once

#include <atomic>
#include <functional>
#include <memory>

#include "services/common/basic_auth.h"
#include "services/common/bounded_executor.h"
#include "services/http/http_bridge.h"
#include "tests/unit/http_fakes.h"
#include "tests/unit/http_test_client.h"

namespace tokend::testing {

// The bridge over a FakeCore holding a client "app" (secret "s3cret") and a
// user alice/wonderland, on an ephemeral loopback port.
class BridgeTest : public ::testing::Test {
 protected:
  static constexpr char kClient[] = "app";
  static constexpr char kSecret[] = "s3cret";

  BridgeTest() : executor_(8, 1000) {
    fake_.AddClient(kClient, kSecret);
    fake_.AddUser("u-1", "alice", "wonderland");
  }
  ~BridgeTest() override {
    if (bridge_) bridge_->Stop(std::chrono::system_clock::now() + std::chrono::seconds(2));
  }

  void StartBridge(const std::function<void(http::HttpBridgeOptions&)>& tweak = {}) {
    http::HttpBridgeOptions opts;
    opts.address = "127.0.0.1:0";
    opts.issuer = "https://issuer.test";
    opts.readiness = [this] { return ready_.load(); };
    if (tweak) tweak(opts);
    bridge_ = std::make_unique<http::HttpBridge>(std::move(opts), fake_.core(), executor_);
    ASSERT_TRUE(bridge_->Start().ok());
  }

  std::unique_ptr<HttpConnection> Connect() {
    return std::make_unique<HttpConnection>(ioc_, bridge_->port());
  }

  // One request on a fresh connection.
  HttpResponse Call(HttpRequest req) { return Connect()->Send(std::move(req)); }

  static std::string AppBasic() { return basic_auth::Format(kClient, kSecret); }

  FakeCore fake_;
  BoundedExecutor executor_;
  std::atomic<bool> ready_{true};
  net::io_context ioc_;
  std::unique_ptr<http::HttpBridge> bridge_;
};

}  // namespace tokend::testing
