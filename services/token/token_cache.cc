#include "services/token/token_cache.h"

#include "absl/hash/hash.h"

namespace tokend {

TokenCache::TokenCache(std::chrono::microseconds ttl, size_t capacity)
    : ttl_(ttl), shard_capacity_(std::max<size_t>(1, capacity / kShards)) {}

TokenCache::Shard& TokenCache::ShardFor(const std::string& key) {
  return shards_[absl::Hash<std::string>{}(key) % kShards];
}

std::shared_ptr<const storage::TokenState> TokenCache::Find(const std::string& digest) {
  Shard& shard = ShardFor(digest);
  std::lock_guard lock(shard.mu);
  auto it = shard.by_digest.find(digest);
  if (it == shard.by_digest.end()) {
    misses_.Add();
    return nullptr;
  }
  if (it->second.trusted_until < storage::Now()) {
    shard.by_digest.erase(it);
    misses_.Add();
    return nullptr;
  }
  hits_.Add();
  return it->second.state;
}

void TokenCache::SweepIfDue(Shard& shard, storage::Time now) {
  if (now < shard.next_sweep) return;
  shard.next_sweep = now + kSweepEvery;
  absl::erase_if(shard.by_digest, [&](const auto& kv) { return kv.second.trusted_until < now; });
  absl::erase_if(shard.by_family, [&](auto& kv) {
    std::erase_if(kv.second, [&](const FamilyLink& l) { return l.trusted_until < now; });
    return kv.second.empty();
  });
}

void TokenCache::Put(const storage::TokenState& state, uint64_t epoch_at_load) {
  auto shared = std::make_shared<const storage::TokenState>(state);
  storage::Time now = storage::Now();
  storage::Time until = std::min(now + ttl_, state.token.expires_at);
  // Index the family first: an entry must never be findable while a family
  // revocation could miss it.
  if (!state.token.family_id.empty()) {
    bool overflow = false;
    {
      Shard& shard = ShardFor(state.token.family_id);
      std::lock_guard lock(shard.mu);
      SweepIfDue(shard, now);
      overflow = shard.by_family.size() >= shard_capacity_;
      if (!overflow) {
        // A long-lived family (a refresh chain) links every token it ever
        // cached; links whose entries are no longer trusted go, so the list
        // holds at most a TTL's worth.
        auto& links = shard.by_family[state.token.family_id];
        std::erase_if(links, [&](const FamilyLink& l) { return l.trusted_until < now; });
        links.push_back({state.token.digest, until});
      }
    }
    if (overflow) {
      Clear();  // losing the index would let a revoked family stay cached
      return;
    }
  }
  Shard& shard = ShardFor(state.token.digest);
  std::lock_guard lock(shard.mu);
  if (Epoch() != epoch_at_load) return;
  SweepIfDue(shard, now);
  if (shard.by_digest.size() >= shard_capacity_) {
    // Full of trusted entries (a sweep just dropped the rest, or will within
    // kSweepEvery): emptied rather than grown.
    absl::erase_if(shard.by_digest, [&](const auto& kv) { return kv.second.trusted_until < now; });
    if (shard.by_digest.size() >= shard_capacity_ * 9 / 10) shard.by_digest.clear();
  }
  shard.by_digest[state.token.digest] = Entry{shared, until};
}

void TokenCache::EraseToken(const std::string& digest) {
  epoch_.fetch_add(1, std::memory_order_acq_rel);
  Shard& shard = ShardFor(digest);
  std::lock_guard lock(shard.mu);
  shard.by_digest.erase(digest);
}

void TokenCache::EraseFamily(const std::string& family_id) {
  epoch_.fetch_add(1, std::memory_order_acq_rel);
  std::vector<FamilyLink> links;
  {
    Shard& shard = ShardFor(family_id);
    std::lock_guard lock(shard.mu);
    auto it = shard.by_family.find(family_id);
    if (it != shard.by_family.end()) {
      links = std::move(it->second);
      shard.by_family.erase(it);
    }
  }
  for (const auto& l : links) EraseToken(l.digest);
}

void TokenCache::Clear() {
  epoch_.fetch_add(1, std::memory_order_acq_rel);
  for (auto& shard : shards_) {
    std::lock_guard lock(shard.mu);
    shard.by_digest.clear();
    shard.by_family.clear();
  }
}

size_t TokenCache::entries() {
  size_t n = 0;
  for (auto& shard : shards_) {
    std::lock_guard lock(shard.mu);
    n += shard.by_digest.size();
  }
  return n;
}

size_t TokenCache::family_links() {
  size_t n = 0;
  for (auto& shard : shards_) {
    std::lock_guard lock(shard.mu);
    for (const auto& [family, links] : shard.by_family) n += links.size();
  }
  return n;
}

}  // namespace tokend
