// An in-process cache of token state for Introspect, keyed by token digest.
// Every revocation made through this process erases the affected entries
// before it is acknowledged, so the next Introspect here sees it. Entries
// also expire after a TTL, bounding how stale a change made elsewhere (an
// other replica, an operator) can be.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "services/metrics/metrics.h"
#include "storage/records.h"

namespace tokend {

class TokenCache {
 public:
  // `ttl`: the longest an entry is trusted; `capacity`: entries at most
  // (a full shard is emptied rather than grown).
  TokenCache(std::chrono::microseconds ttl, size_t capacity);

  std::shared_ptr<const storage::TokenState> Find(const std::string& digest);

  // A counter bumped by every erase. Read it before loading a state from the
  // ledger and pass it to Put: a state loaded before a concurrent revocation
  // is then not cached (it may predate the revocation).
  uint64_t Epoch() const { return epoch_.load(std::memory_order_acquire); }
  void Put(const storage::TokenState& state, uint64_t epoch_at_load);
  void EraseToken(const std::string& digest);
  void EraseFamily(const std::string& family_id);
  void Clear();

  // Lookups that found a trusted entry, and those that did not (/metrics).
  uint64_t hits() const { return hits_.Value(); }
  uint64_t misses() const { return misses_.Value(); }
  // Cached token states, and the family index's links to them (/metrics).
  size_t entries();
  size_t family_links();

 private:
  struct Entry {
    std::shared_ptr<const storage::TokenState> state;
    storage::Time trusted_until;
  };
  struct FamilyLink {
    std::string digest;
    storage::Time trusted_until;  // the entry's; after it the link is dead weight
  };
  struct Shard {
    std::mutex mu;
    absl::flat_hash_map<std::string, Entry> by_digest;
    absl::flat_hash_map<std::string, std::vector<FamilyLink>> by_family;
    storage::Time next_sweep{};
  };
  // Entries and links past their trust are dropped from a shard at most this
  // often (by the Put that finds the sweep due), so memory follows the
  // tokens cached within one TTL rather than the capacity.
  static constexpr std::chrono::seconds kSweepEvery{1};
  void SweepIfDue(Shard& shard, storage::Time now);
  static constexpr size_t kShards = 16;
  Shard& ShardFor(const std::string& key);

  std::chrono::microseconds ttl_;
  size_t shard_capacity_;
  std::array<Shard, kShards> shards_;
  std::atomic<uint64_t> epoch_{0};
  metrics::Counter hits_, misses_;
  // Family index entries live in the shard of the family id, tokens in the
  // shard of their digest; EraseFamily takes each lock in turn, never two.
};

}  // namespace tokend
