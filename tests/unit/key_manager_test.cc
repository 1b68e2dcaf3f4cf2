// The key-encryption key and the key manager over an in-memory key store:
// sealing, first key, rotation agreed between replicas, publication window.
#include <thread>

#include "gtest/gtest.h"
#include "services/jwt/jwk.h"
#include "services/keys/key_encryption.h"
#include "services/keys/key_manager.h"
#include "tests/unit/fake_key_store.h"

namespace tokend::keys {
namespace {

using testing::FakeKeyStore;

TEST(KeyEncryptionTest, SealsUnderTheKidAsAssociatedData) {
  KeyEncryptionKey kek = KeyEncryptionKey::Generate();
  std::string sealed = kek.Seal("private key bytes", "kid-1");
  EXPECT_EQ(sealed.size(), 12 + 17 + 16u);
  EXPECT_EQ(sealed.find("private key bytes"), std::string::npos);
  EXPECT_EQ(*kek.Open(sealed, "kid-1"), "private key bytes");
  EXPECT_NE(kek.Seal("private key bytes", "kid-1"), sealed) << "a fresh nonce each time";
  EXPECT_FALSE(kek.Open(sealed, "kid-2").ok()) << "moved to another kid";
  EXPECT_FALSE(KeyEncryptionKey::Generate().Open(sealed, "kid-1").ok()) << "another KEK";
  std::string altered = sealed;
  altered[20] ^= 1;
  EXPECT_FALSE(kek.Open(altered, "kid-1").ok());
  EXPECT_FALSE(kek.Open("short", "kid-1").ok());
}

TEST(KeyEncryptionTest, Base64Of32BytesOnly) {
  KeyEncryptionKey kek = KeyEncryptionKey::Generate();
  auto again = KeyEncryptionKey::FromBase64(kek.ToBase64());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again->Open(kek.Seal("x", "k"), "k"), "x");
  EXPECT_FALSE(KeyEncryptionKey::FromBase64("c2hvcnQ=").ok());
  EXPECT_FALSE(KeyEncryptionKey::FromBase64("not base64 at all!").ok());
}

class KeyManagerTest : public ::testing::Test {
 protected:
  KeyManagerOptions Options(jwt::Algorithm alg = jwt::Algorithm::kES256) {
    KeyManagerOptions o;
    o.algorithm = alg;
    o.reload_interval = absl::Milliseconds(50);
    o.unknown_kid_reload_interval = absl::ZeroDuration();
    return o;
  }
  FakeKeyStore store_;
  KeyEncryptionKey kek_ = KeyEncryptionKey::Generate();
};

TEST_F(KeyManagerTest, FirstStartCreatesOneSealedKey) {
  KeyManager keys(store_, kek_, Options());
  ASSERT_TRUE(keys.Start().ok());
  auto active = keys.ActiveKey();
  ASSERT_NE(active, nullptr);
  EXPECT_EQ(active->alg, jwt::Algorithm::kES256);
  auto rows = *store_.ListKeys(storage::Now());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].kid, active->kid);
  EXPECT_TRUE(kek_.Open(rows[0].sealed_private_key, rows[0].kid).ok());
  auto published = jwt::ParseJwks(keys.Published()->jwks_json);
  ASSERT_TRUE(published.ok());
  EXPECT_NE(published->Find(active->kid), nullptr);
  // A second start (another replica, a restart) adopts the key.
  KeyManager other(store_, kek_, Options());
  ASSERT_TRUE(other.Start().ok());
  EXPECT_EQ(other.ActiveKey()->kid, active->kid);
  EXPECT_EQ(store_.rotations, 1);
}

TEST_F(KeyManagerTest, AnotherKekVerifiesButMintsNothing) {
  KeyManager first(store_, kek_, Options());
  ASSERT_TRUE(first.Start().ok());
  KeyManager wrong(store_, KeyEncryptionKey::Generate(), Options());
  ASSERT_TRUE(wrong.Start().ok()) << "a misconfigured replica still serves";
  EXPECT_EQ(wrong.ActiveKey(), nullptr);
  EXPECT_NE(wrong.Published()->keys.Find(first.ActiveKey()->kid), nullptr);
  absl::Status st = wrong.Reload();
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition) << st;
  EXPECT_NE(st.message().find("TOKEND_KEY_ENCRYPTION_KEY"), absl::string_view::npos);
  EXPECT_EQ(store_.rotations, 1) << "it must not rotate the fleet to a key of its own";
}

TEST_F(KeyManagerTest, RotationKeepsTheOldKeyPublishedAndReplicasFollow) {
  KeyManager a(store_, kek_, Options(jwt::Algorithm::kEdDSA));
  KeyManager b(store_, kek_, Options(jwt::Algorithm::kEdDSA));
  ASSERT_TRUE(a.Start().ok());
  ASSERT_TRUE(b.Start().ok());
  std::string old_kid = a.ActiveKey()->kid;
  uint64_t generation = a.Published()->generation;
  auto rotated = a.Rotate();
  ASSERT_TRUE(rotated.ok()) << rotated.status();
  EXPECT_NE(rotated->kid, old_kid);
  EXPECT_EQ(a.ActiveKey()->kid, rotated->kid);
  EXPECT_GT(a.Published()->generation, generation);
  EXPECT_NE(a.Published()->keys.Find(old_kid), nullptr) << "retired keys stay published";
  auto rows = *a.ListKeys();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_TRUE(rows[0].sealed_private_key.empty()) << "never handed out";
  // b follows within its reload interval, and an unknown kid reloads at once.
  EXPECT_TRUE(b.ReloadForUnknownKid());
  EXPECT_EQ(b.ActiveKey()->kid, rotated->kid);
}

TEST_F(KeyManagerTest, ConcurrentRotationsYieldOneActiveKey) {
  KeyManager a(store_, kek_, Options());
  KeyManager b(store_, kek_, Options());
  ASSERT_TRUE(a.Start().ok());
  ASSERT_TRUE(b.Start().ok());
  std::thread ta([&] { ASSERT_TRUE(a.Rotate().ok()); });
  std::thread tb([&] { ASSERT_TRUE(b.Rotate().ok()); });
  ta.join();
  tb.join();
  ASSERT_TRUE(a.Reload().ok());
  ASSERT_TRUE(b.Reload().ok());
  EXPECT_EQ(a.ActiveKey()->kid, b.ActiveKey()->kid);
  int active = 0;
  auto rows = store_.ListKeys(storage::Now());
  for (const auto& r : *rows) active += r.retired_at ? 0 : 1;
  EXPECT_EQ(active, 1);
}

TEST_F(KeyManagerTest, RetiredKeysDropOutAfterTheirWindow) {
  store_.max_access_ttl_seconds = 1;
  KeyManagerOptions o = Options();
  o.publish_margin = absl::ZeroDuration();
  KeyManager keys(store_, kek_, o);
  ASSERT_TRUE(keys.Start().ok());
  std::string old_kid = keys.ActiveKey()->kid;
  ASSERT_TRUE(keys.Rotate().ok());
  EXPECT_NE(keys.Published()->keys.Find(old_kid), nullptr);
  std::this_thread::sleep_for(std::chrono::milliseconds(1300));
  ASSERT_TRUE(keys.Reload().ok());
  EXPECT_EQ(keys.Published()->keys.Find(old_kid), nullptr);
  EXPECT_EQ(keys.Published()->keys.keys().size(), 1u);
}

TEST_F(KeyManagerTest, RotatesOnItsInterval) {
  KeyManagerOptions o = Options();
  o.rotation_interval = absl::Milliseconds(300);
  KeyManager keys(store_, kek_, o);
  ASSERT_TRUE(keys.Start().ok());
  std::string first = keys.ActiveKey()->kid;
  auto deadline = absl::Now() + absl::Seconds(5);
  while (keys.ActiveKey()->kid == first && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(50));
  EXPECT_NE(keys.ActiveKey()->kid, first);
}

TEST_F(KeyManagerTest, LedgerOutageKeepsTheKeys) {
  KeyManager keys(store_, kek_, Options());
  ASSERT_TRUE(keys.Start().ok());
  std::string kid = keys.ActiveKey()->kid;
  store_.down = true;
  EXPECT_FALSE(keys.Reload().ok());
  EXPECT_EQ(keys.ActiveKey()->kid, kid);
  EXPECT_FALSE(keys.Rotate().ok());
  store_.down = false;
}

}  // namespace
}  // namespace tokend::keys
