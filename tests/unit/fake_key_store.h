// An in-memory storage::KeyStore with the PostgreSQL store's rotation rule
// (only from the expected active key; at most one active key), for unit
// tests of the key manager and JWT issuance.
#pragma once

#include <mutex>
#include <vector>

#include "storage/ledger.h"

namespace tokend::testing {

class FakeKeyStore : public storage::KeyStore {
 public:
  absl::StatusOr<std::vector<storage::SigningKeyRecord>> ListKeys(storage::Time now) override {
    std::lock_guard lock(mu_);
    if (down) return absl::UnavailableError("ledger down");
    std::vector<storage::SigningKeyRecord> out;
    for (auto it = rows_.rbegin(); it != rows_.rend(); ++it) {
      if (!it->publish_until || *it->publish_until > now) out.push_back(*it);
    }
    return out;
  }
  absl::StatusOr<bool> RotateKey(const storage::SigningKeyRecord& next,
                                 const std::string& expected_active_kid,
                                 int64_t publish_margin_seconds) override {
    std::lock_guard lock(mu_);
    if (down) return absl::UnavailableError("ledger down");
    storage::SigningKeyRecord* active = nullptr;
    for (auto& r : rows_) {
      if (!r.retired_at) active = &r;
    }
    if ((active ? active->kid : "") != expected_active_kid) return false;
    storage::Time now = storage::Now();
    if (active) {
      active->retired_at = now;
      active->publish_until = now + std::chrono::seconds(max_access_ttl_seconds + publish_margin_seconds);
    }
    rows_.push_back(next);
    ++rotations;
    return true;
  }
  absl::StatusOr<int> PurgeKeys(storage::Time before) override {
    std::lock_guard lock(mu_);
    return static_cast<int>(std::erase_if(
        rows_, [&](const auto& r) { return r.publish_until && *r.publish_until < before; }));
  }

  int64_t max_access_ttl_seconds = 7200;  // the clients' longest access TTL
  bool down = false;
  int rotations = 0;

 private:
  std::mutex mu_;
  std::vector<storage::SigningKeyRecord> rows_;  // oldest first
};

}  // namespace tokend::testing
