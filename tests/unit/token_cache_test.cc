#include "services/token/token_cache.h"

#include <thread>

#include "gtest/gtest.h"

namespace tokend {
namespace {

storage::TokenState State(const std::string& digest, const std::string& family,
                          std::chrono::microseconds life = std::chrono::seconds(60)) {
  storage::TokenState s;
  s.token.digest = digest;
  s.token.family_id = family;
  s.token.expires_at = storage::Now() + life;
  return s;
}

TEST(TokenCacheTest, FindsWhatWasPut) {
  TokenCache cache(std::chrono::seconds(30), 1000);
  cache.Put(State("d1", ""), cache.Epoch());
  ASSERT_NE(cache.Find("d1"), nullptr);
  EXPECT_EQ(cache.Find("d2"), nullptr);
}

TEST(TokenCacheTest, EraseFamilyDropsEveryTokenOfIt) {
  TokenCache cache(std::chrono::seconds(30), 1000);
  cache.Put(State("a", "fam"), cache.Epoch());
  cache.Put(State("r", "fam"), cache.Epoch());
  cache.Put(State("x", "other"), cache.Epoch());
  cache.EraseFamily("fam");
  EXPECT_EQ(cache.Find("a"), nullptr);
  EXPECT_EQ(cache.Find("r"), nullptr);
  EXPECT_NE(cache.Find("x"), nullptr);
}

TEST(TokenCacheTest, StateLoadedBeforeARevocationIsNotCached) {
  TokenCache cache(std::chrono::seconds(30), 1000);
  uint64_t epoch = cache.Epoch();   // an Introspect starts loading...
  cache.EraseToken("d1");           // ...a revocation lands meanwhile...
  cache.Put(State("d1", ""), epoch);  // ...the stale load must not be cached
  EXPECT_EQ(cache.Find("d1"), nullptr);
}

TEST(TokenCacheTest, EntriesExpireWithTheToken) {
  TokenCache cache(std::chrono::seconds(30), 1000);
  cache.Put(State("d1", "", std::chrono::seconds(-1)), cache.Epoch());
  EXPECT_EQ(cache.Find("d1"), nullptr);
}

TEST(TokenCacheTest, StaysBoundedAndConsistentWhenFull) {
  TokenCache cache(std::chrono::seconds(30), 64);
  for (int i = 0; i < 10000; ++i) cache.Put(State("d" + std::to_string(i), "f" + std::to_string(i % 7)), cache.Epoch());
  cache.EraseFamily("f3");
  for (int i = 3; i < 10000; i += 7) EXPECT_EQ(cache.Find("d" + std::to_string(i)), nullptr) << i;
}

TEST(TokenCacheTest, ALongRefreshChainKeepsOnlyTrustedLinks) {
  TokenCache cache(std::chrono::seconds(30), 1000);
  for (int i = 0; i < 200; ++i) {  // tokens that expire 1 ms after caching
    cache.Put(State("chain" + std::to_string(i), "fam", std::chrono::milliseconds(1)), cache.Epoch());
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  // Links to entries no longer trusted were dropped on the way; a few remain.
  EXPECT_LT(cache.family_links(), 50u);
  EXPECT_GE(cache.family_links(), 1u);
  cache.Put(State("last", "fam"), cache.Epoch());
  ASSERT_NE(cache.Find("last"), nullptr);
  cache.EraseFamily("fam");
  EXPECT_EQ(cache.Find("last"), nullptr) << "the live link still revokes";
}

TEST(TokenCacheTest, AFullShardDropsUntrustedEntriesBeforeEmptying) {
  TokenCache cache(std::chrono::seconds(30), 16 * 10);  // 10 entries a shard
  cache.Put(State("keeper", ""), cache.Epoch());
  // Tokens that expire 1 ms after caching: when a shard fills, nearly all of
  // its entries are expired, so sweeping them makes room without emptying it.
  for (int i = 0; i < 2000; ++i) {
    cache.Put(State("brief" + std::to_string(i), "", std::chrono::milliseconds(1)), cache.Epoch());
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  EXPECT_NE(cache.Find("keeper"), nullptr) << "a trusted entry survived its shard filling up";
  EXPECT_LE(cache.entries(), 160u);
}

TEST(TokenCacheTest, EntriesPastTheirTrustAreSweptLongBeforeTheCacheIsFull) {
  TokenCache cache(std::chrono::seconds(30), 1 << 20);
  for (int i = 0; i < 5000; ++i) {
    cache.Put(State("gone" + std::to_string(i), "fam" + std::to_string(i), std::chrono::milliseconds(1)),
              cache.Epoch());
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // past a sweep period
  for (int i = 0; i < 400; ++i) {  // touches every shard, each sweeping once
    cache.Put(State("live" + std::to_string(i), "live-fam"), cache.Epoch());
  }
  EXPECT_EQ(cache.entries(), 400u);
  EXPECT_EQ(cache.family_links(), 400u);
}

}  // namespace
}  // namespace tokend
