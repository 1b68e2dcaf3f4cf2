// ES256 signatures from precomputed nonces: they verify, no nonce is ever
// used twice, the pool refills itself, and signing goes on when it is empty.
#include "services/jwt/ecdsa_nonce_pool.h"

#include <chrono>
#include <functional>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/jwt/signature.h"

namespace tokend::jwt {
namespace {

// Waits for the idle-priority filler (it gets little CPU on a busy machine).
bool WaitUntil(const std::function<bool()>& done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// Take() gives up when the filler holds the lock this instant (it refills
// as soon as half the pool is used); a caller then signs in full. Here we
// want the nonce itself, so ask again until it comes.
std::optional<EcdsaNonce> TakeSoon(EcdsaNoncePool& pool) {
  std::optional<EcdsaNonce> nonce;
  WaitUntil([&] { return (nonce = pool.Take()).has_value(); });
  return nonce;
}

JwtKey NewEs256Key() {
  auto key = GenerateKey(Algorithm::kES256);
  EXPECT_TRUE(key.ok());
  return {"es", Algorithm::kES256, *key};
}

std::string BnHex(const BIGNUM* bn) {
  char* hex = BN_bn2hex(bn);
  std::string out(hex);
  OPENSSL_free(hex);
  return out;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
TEST(EcdsaNoncePoolTest, FillsOnFirstUseHandsEachNonceOutOnceAndRefills) {
  JwtKey key = NewEs256Key();
  EC_KEY* ec = EVP_PKEY_get1_EC_KEY(key.key.get());
  ASSERT_NE(ec, nullptr);
  {
    EcdsaNoncePool pool(ec, 16);
    EXPECT_EQ(pool.ready(), 0u) << "nothing is computed before the first signature asks";
    pool.Take();  // starts the filler
    ASSERT_TRUE(WaitUntil([&] { return pool.ready() == 16; }));

    std::set<std::string> r_values;
    for (int i = 0; i < 16; ++i) {
      auto nonce = TakeSoon(pool);
      ASSERT_TRUE(nonce.has_value()) << i;
      r_values.insert(BnHex(nonce->r.get()));
    }
    EXPECT_EQ(r_values.size(), 16u) << "a nonce handed out twice";
    // Drained below half: the filler comes back and fills it again, with
    // nonces never seen before.
    ASSERT_TRUE(WaitUntil([&] { return pool.ready() == 16; }));
    for (int i = 0; i < 16; ++i) {
      auto nonce = TakeSoon(pool);
      ASSERT_TRUE(nonce.has_value());
      EXPECT_TRUE(r_values.insert(BnHex(nonce->r.get())).second) << "r repeated after refill";
    }
  }
  EC_KEY_free(ec);
}
#pragma GCC diagnostic pop

class SignerTest : public ::testing::TestWithParam<Algorithm> {};

TEST_P(SignerTest, PreparedSignerSignaturesVerify) {
  auto pkey = GenerateKey(GetParam());
  ASSERT_TRUE(pkey.ok());
  JwtKey key{"k", GetParam(), *pkey};
  auto signer = Signer::Create(key);
  ASSERT_TRUE(signer.ok()) << signer.status();
  for (int i = 0; i < 3; ++i) {
    std::string input = absl::StrCat("header.payload-", i);
    auto sig = (*signer)->Sign(input);
    ASSERT_TRUE(sig.ok()) << sig.status();
    EXPECT_TRUE(Verify(key, input, *sig));
    EXPECT_FALSE(Verify(key, input + "x", *sig));
  }
}

INSTANTIATE_TEST_SUITE_P(All, SignerTest,
                         ::testing::Values(Algorithm::kES256, Algorithm::kEdDSA, Algorithm::kRS256));

TEST(PooledSignerTest, Es256WithPrecomputedNoncesVerifiesAndNeverRepeatsR) {
  JwtKey key = NewEs256Key();
  auto signer = Signer::Create(key, {.precomputed_nonces = 64});
  ASSERT_TRUE(signer.ok());
  std::set<std::string> r_halves;
  // Far more signatures than the pool holds: some come from it, the rest are
  // computed in full while it is empty; all must verify.
  for (int i = 0; i < 400; ++i) {
    std::string input = absl::StrCat("h.p", i);
    auto sig = (*signer)->Sign(input);
    ASSERT_TRUE(sig.ok()) << sig.status();
    ASSERT_EQ(sig->size(), 64u);
    EXPECT_TRUE(Verify(key, input, *sig)) << i;
    EXPECT_FALSE(Verify(key, input + "!", *sig));
    EXPECT_TRUE(r_halves.insert(sig->substr(0, 32)).second) << "r repeated at signature " << i;
    if (i == 0) std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let it fill
  }
}

}  // namespace
}  // namespace tokend::jwt
