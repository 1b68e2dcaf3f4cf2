#include "services/jwt/ecdsa_nonce_pool.h"

#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <pthread.h>
#include <sched.h>

#include <algorithm>

namespace tokend::jwt {
namespace {

// OpenSSL 3 deprecates the EC_KEY functions but has no EVP equivalent of
// signing with precomputed values.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
std::optional<EcdsaNonce> Precompute(const EC_KEY* key, BN_CTX* ctx) {
  BIGNUM* k_inverse = nullptr;
  BIGNUM* r = nullptr;
  // ECDSA_sign_setup only reads the key (its group and, to check that it can
  // sign, its private part); k comes from OpenSSL's CSPRNG.
  if (ECDSA_sign_setup(const_cast<EC_KEY*>(key), ctx, &k_inverse, &r) != 1) {
    ERR_clear_error();
    return std::nullopt;
  }
  return EcdsaNonce{SecretBn(k_inverse), SecretBn(r)};
}
#pragma GCC diagnostic pop

}  // namespace

EcdsaNoncePool::EcdsaNoncePool(const EC_KEY* key, size_t capacity)
    : key_(key), capacity_(std::max<size_t>(capacity, 2)) {
  ready_.reserve(capacity_);
}

EcdsaNoncePool::~EcdsaNoncePool() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (filler_.joinable()) filler_.join();
}

std::optional<EcdsaNonce> EcdsaNoncePool::Take() {
  std::call_once(started_, [this] { filler_ = std::thread([this] { Fill(); }); });
  // try_lock: the filler runs at idle priority and may be preempted while it
  // holds the lock; a signer never waits for it.
  std::unique_lock lock(mu_, std::try_to_lock);
  if (!lock.owns_lock() || ready_.empty()) return std::nullopt;
  EcdsaNonce nonce = std::move(ready_.back());
  ready_.pop_back();
  bool refill = ready_.size() == capacity_ / 2;
  lock.unlock();
  if (refill) cv_.notify_one();
  return nonce;
}

size_t EcdsaNoncePool::ready() const {
  std::lock_guard lock(mu_);
  return ready_.size();
}

void EcdsaNoncePool::Fill() {
  sched_param idle{};
  pthread_setschedparam(pthread_self(), SCHED_IDLE, &idle);
  std::unique_ptr<BN_CTX, decltype(&BN_CTX_free)> ctx(BN_CTX_new(), BN_CTX_free);
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (ready_.size() >= capacity_) {
      // Full: sleep until signatures have used half of it.
      cv_.wait(lock, [this] { return stopping_ || ready_.size() <= capacity_ / 2; });
      continue;
    }
    lock.unlock();
    auto nonce = Precompute(key_, ctx.get());
    lock.lock();
    if (!nonce) return;  // cannot happen with a valid key; signers sign in full
    ready_.push_back(*std::move(nonce));
  }
}

}  // namespace tokend::jwt
