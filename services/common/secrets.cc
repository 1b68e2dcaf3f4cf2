#include "services/common/secrets.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <pthread.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace tokend::secrets {

namespace {

void FillFromCsprng(unsigned char* out, size_t n) {
  if (RAND_bytes(out, static_cast<int>(n)) != 1) {
    std::fputs("tokend: OpenSSL RAND_bytes failed\n", stderr);
    std::abort();
  }
}

// Every RAND_bytes call pays a lock, a getpid() system call (OpenSSL's fork
// check, costly on this VM) and a DRBG step however few bytes it returns, and
// one token takes three small draws. So each thread draws 1 KiB at a time and
// hands it out in order; a handed-out byte is wiped and never given twice.
constexpr size_t kPoolBytes = 1024;

// Bumped in a forked child, whose copy of every pool is the parent's: the
// child must not hand out the bytes the parent will.
std::atomic<unsigned> fork_generation{0};

struct ThreadPool {
  unsigned char bytes[kPoolBytes];
  size_t next = kPoolBytes;
  unsigned generation = 0;
  ~ThreadPool() { OPENSSL_cleanse(bytes, sizeof bytes); }
};

void Take(unsigned char* out, size_t n) {
  static std::once_flag registered;
  std::call_once(registered, [] {
    pthread_atfork(nullptr, nullptr, [] { fork_generation.fetch_add(1); });
  });
  thread_local ThreadPool pool;
  unsigned generation = fork_generation.load(std::memory_order_relaxed);
  if (pool.generation != generation) {
    pool.next = kPoolBytes;
    pool.generation = generation;
  }
  if (n > kPoolBytes / 4) return FillFromCsprng(out, n);
  if (kPoolBytes - pool.next < n) {
    FillFromCsprng(pool.bytes, kPoolBytes);
    pool.next = 0;
  }
  std::memcpy(out, pool.bytes + pool.next, n);
  OPENSSL_cleanse(pool.bytes + pool.next, n);
  pool.next += n;
}

}  // namespace

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  Take(reinterpret_cast<unsigned char*>(out.data()), n);
  return out;
}

std::string NewToken(absl::string_view prefix) {
  return absl::StrCat(prefix, absl::WebSafeBase64Escape(RandomBytes(32)));
}

std::string NewUuid() {
  std::string b = RandomBytes(16);
  b[6] = static_cast<char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<char>((b[8] & 0x3f) | 0x80);
  std::string h = Hex(b);
  return absl::StrCat(h.substr(0, 8), "-", h.substr(8, 4), "-", h.substr(12, 4), "-",
                      h.substr(16, 4), "-", h.substr(20));
}

std::string Sha256(absl::string_view data) {
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

std::string Hex(absl::string_view bytes) { return absl::BytesToHexString(bytes); }

bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace tokend::secrets
