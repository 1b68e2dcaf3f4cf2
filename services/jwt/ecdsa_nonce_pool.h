// ES256 signing with its expensive half done ahead of time. An ECDSA
// signature is k⁻¹ and r = x(k·G) for a fresh random k (SEC 1 §4.1.3 steps
// 1-3, what OpenSSL's ECDSA_sign_setup computes: ~18 µs on P-256), then
// s = k⁻¹(e + r·d) for the message digest e (~0.3 µs). A thread at SCHED_IDLE
// priority computes the first half into a pool, so it runs only on CPU time
// nothing else wants (a token server waiting on its ledger's commits has
// plenty), and a signature taken from the pool costs the second half alone.
#pragma once

#include <openssl/bn.h>
#include <openssl/ec.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace tokend::jwt {

struct BnClearFree {
  void operator()(BIGNUM* bn) const { BN_clear_free(bn); }
};
using SecretBn = std::unique_ptr<BIGNUM, BnClearFree>;

// One signature's precomputed (k⁻¹, r). Secret: with it and its signature
// anyone could solve for the private key, so it is cleared when freed and
// handed out exactly once.
struct EcdsaNonce {
  SecretBn k_inverse;
  SecretBn r;
};

// Thread-safe. The filling thread starts with the first Take().
class EcdsaNoncePool {
 public:
  // `key`, a P-256 private key, must outlive the pool. Capacity is at least 2.
  EcdsaNoncePool(const EC_KEY* key, size_t capacity);
  ~EcdsaNoncePool();  // stops the thread
  EcdsaNoncePool(const EcdsaNoncePool&) = delete;
  EcdsaNoncePool& operator=(const EcdsaNoncePool&) = delete;

  // A nonce nobody else gets, or nullopt when none is ready or the pool is
  // busy this instant. Never waits: the caller signs in full instead.
  std::optional<EcdsaNonce> Take();

  size_t ready() const;

 private:
  void Fill();

  const EC_KEY* const key_;
  const size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable cv_;  // the filler waits here when the pool is full
  std::vector<EcdsaNonce> ready_;
  bool stopping_ = false;
  std::once_flag started_;
  std::thread filler_;
};

}  // namespace tokend::jwt
