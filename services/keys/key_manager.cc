#include "services/keys/key_manager.h"

#include <openssl/crypto.h>

#include <set>

#include "absl/strings/str_cat.h"
#include "services/common/secrets.h"
#include "services/jwt/key_material.h"
#include "services/logging/log.h"

namespace tokend::keys {
namespace {

absl::Time ToAbsl(storage::Time t) { return absl::FromUnixMicros(storage::ToUnixMicros(t)); }

std::set<std::string> Kids(const jwt::KeySet& set) {
  std::set<std::string> out;
  for (const auto& k : set.keys()) out.insert(k.kid);
  return out;
}

}  // namespace

KeyManager::KeyManager(storage::KeyStore& store, KeyEncryptionKey kek, KeyManagerOptions options)
    : store_(store),
      kek_(std::move(kek)),
      options_(options),
      published_(std::make_shared<const PublishedKeys>(PublishedKeys{0, {}, "{\"keys\":[]}"})) {}

KeyManager::~KeyManager() { Stop(); }

absl::Status KeyManager::Start() {
  absl::Status st = Reload();
  if (st.ok() && ActiveKey() == nullptr) st = RotateFrom("");
  // An active key this KEK cannot open is a misconfigured replica: it keeps
  // serving (opaque tokens, JWT verification) and refuses to mint JWTs;
  // Reload() has said why in the log.
  if (!st.ok() && !absl::IsFailedPrecondition(st)) return st;
  loop_ = std::thread([this] { Loop(); });
  return absl::OkStatus();
}

void KeyManager::Stop() {
  {
    std::lock_guard lock(loop_mu_);
    stopping_ = true;
  }
  loop_cv_.notify_all();
  if (loop_.joinable()) loop_.join();
}

std::shared_ptr<const jwt::JwtSigner> KeyManager::ActiveSigner() const {
  std::lock_guard lock(mu_);
  return active_;
}

std::shared_ptr<const jwt::JwtKey> KeyManager::ActiveKey() const {
  auto signer = ActiveSigner();
  if (signer == nullptr) return nullptr;
  return {signer, &signer->key()};
}

std::shared_ptr<const PublishedKeys> KeyManager::Published() const {
  std::lock_guard lock(mu_);
  return published_;
}

absl::StatusOr<std::shared_ptr<const jwt::JwtSigner>> KeyManager::OpenPrivate(
    const storage::SigningKeyRecord& r) {
  if (auto it = private_cache_.find(r.kid); it != private_cache_.end()) return it->second;
  auto alg = jwt::AlgorithmFromName(r.algorithm);
  auto der = kek_.Open(r.sealed_private_key, r.kid);
  if (!der.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the active signing key ", r.kid,
        " does not open with this key-encryption key: this replica mints no JWTs until "
        "TOKEND_KEY_ENCRYPTION_KEY is the one every replica shares"));
  }
  auto key = jwt::PrivateKeyFromDer(*der);
  OPENSSL_cleanse(der->data(), der->size());
  if (!alg || !key.ok() || !jwt::KeyFits(*alg, key->get())) {
    return absl::FailedPreconditionError(absl::StrCat("signing key ", r.kid, " is unusable"));
  }
  // A few hundred milliseconds of peak ES256 issuance (~0.5 MiB); the pool
  // starts filling with the key's first token.
  auto signer = jwt::JwtSigner::Create(jwt::JwtKey{r.kid, *alg, *std::move(key)},
                                       {.precomputed_nonces = 4096});
  if (!signer.ok()) return absl::FailedPreconditionError(absl::StrCat("signing key ", r.kid, " is unusable"));
  private_cache_[r.kid] = *signer;
  return *signer;
}

absl::Status KeyManager::Reload() {
  std::lock_guard reload(reload_mu_);
  auto records = store_.ListKeys(storage::Now());
  if (!records.ok()) return records.status();
  jwt::KeySet set;
  const storage::SigningKeyRecord* active = nullptr;
  for (const auto& r : *records) {
    if (!r.retired_at && active == nullptr) active = &r;
    auto cached = public_cache_.find(r.kid);
    if (cached == public_cache_.end()) {
      auto alg = jwt::AlgorithmFromName(r.algorithm);
      auto key = jwt::PublicKeyFromDer(r.public_key);
      if (!alg || !key.ok() || !jwt::KeyFits(*alg, key->get())) {
        logging::Error("skipping an unreadable signing key").Str("kid", r.kid);
        continue;
      }
      cached = public_cache_.emplace(r.kid, jwt::JwtKey{r.kid, *alg, *std::move(key)}).first;
    }
    set.Add(cached->second);
  }
  absl::Status status = absl::OkStatus();
  std::shared_ptr<const jwt::JwtSigner> signing;
  if (active != nullptr) {
    auto opened = OpenPrivate(*active);
    if (opened.ok()) {
      signing = *opened;
    } else {
      status = opened.status();
      if (unopenable_kid_ != active->kid) {  // once per key, not every reload
        unopenable_kid_ = active->kid;
        logging::Error(status.message()).Str("kid", active->kid);
      }
    }
  }
  auto before = Published();
  std::shared_ptr<const PublishedKeys> next = before;
  if (Kids(set) != Kids(before->keys)) {
    auto jwks = jwt::ToJwks(set);
    if (!jwks.ok()) return jwks.status();
    next = std::make_shared<const PublishedKeys>(
        PublishedKeys{before->generation + 1, std::move(set), *std::move(jwks)});
  }
  {
    std::lock_guard lock(mu_);
    active_ = signing;
    published_ = next;
    active_kid_ = active ? active->kid : "";
    active_created_ = active ? ToAbsl(active->created_at) : absl::InfinitePast();
  }
  // Forget keys that dropped out.
  auto kids = Kids(next->keys);
  std::erase_if(public_cache_, [&](const auto& e) { return !kids.contains(e.first); });
  std::erase_if(private_cache_, [&](const auto& e) { return e.first != active_kid_; });
  return status;
}

bool KeyManager::ReloadForUnknownKid() {
  {
    std::lock_guard reload(reload_mu_);
    if (absl::Now() - last_unknown_kid_reload_ < options_.unknown_kid_reload_interval) return false;
    last_unknown_kid_reload_ = absl::Now();
  }
  return Reload().ok();
}

absl::StatusOr<storage::SigningKeyRecord> KeyManager::NewKey() const {
  auto key = jwt::GenerateKey(options_.algorithm);
  if (!key.ok()) return key.status();
  auto pub = jwt::PublicKeyDer(key->get());
  auto priv = jwt::PrivateKeyDer(key->get());
  if (!pub.ok() || !priv.ok()) return pub.ok() ? priv.status() : pub.status();
  storage::SigningKeyRecord r;
  r.kid = secrets::Hex(secrets::RandomBytes(8));
  r.algorithm = std::string(jwt::AlgorithmName(options_.algorithm));
  r.public_key = *pub;
  r.sealed_private_key = kek_.Seal(*priv, r.kid);
  OPENSSL_cleanse(priv->data(), priv->size());
  r.created_at = storage::Now();
  return r;
}

absl::Status KeyManager::RotateFrom(const std::string& expected) {
  metrics::Job::Run run(rotation_job_);
  absl::Status st = RotateFromLogged(expected, run);
  if (!st.ok()) run.Fail(st.message());
  return st;
}

absl::Status KeyManager::RotateFromLogged(const std::string& expected, metrics::Job::Run& run) {
  auto next = NewKey();
  if (!next.ok()) return next.status();
  run.Progress("generate key", 0);
  auto rotated = store_.RotateKey(*next, expected,
                                  absl::ToInt64Seconds(options_.publish_margin));
  if (!rotated.ok()) return rotated.status();
  if (*rotated) run.Progress("store key", 1);
  logging::Info(!*rotated        ? "another replica changed the signing key first"
                : expected.empty() ? "created the first signing key"
                                   : "signing key rotated")
      .Str("kid", *rotated ? next->kid : "");
  return Reload();
}

absl::StatusOr<storage::SigningKeyRecord> KeyManager::Rotate() {
  std::string current;
  {
    std::lock_guard lock(mu_);
    current = active_kid_;
  }
  if (auto st = RotateFrom(current); !st.ok()) return st;
  auto keys = ListKeys();
  if (!keys.ok()) return keys.status();
  for (const auto& k : *keys) {
    if (!k.retired_at) return k;
  }
  return absl::InternalError("no active signing key after rotation");
}

absl::StatusOr<std::vector<storage::SigningKeyRecord>> KeyManager::ListKeys() {
  auto keys = store_.ListKeys(storage::Now());
  if (!keys.ok()) return keys.status();
  for (auto& k : *keys) k.sealed_private_key.clear();  // never leaves the manager
  return keys;
}

void KeyManager::Loop() {
  absl::Time last_purge = absl::Now();
  for (;;) {
    {
      std::unique_lock lock(loop_mu_);
      loop_cv_.wait_for(lock, absl::ToChronoMilliseconds(options_.reload_interval),
                        [&] { return stopping_; });
      if (stopping_) return;
    }
    (void)Reload();  // a ledger outage keeps the keys we have
    std::string kid;
    absl::Time created;
    {
      std::lock_guard lock(mu_);
      kid = active_kid_;
      created = active_created_;
    }
    if (options_.rotation_interval > absl::ZeroDuration() && !kid.empty() &&
        created + options_.rotation_interval <= absl::Now()) {
      (void)RotateFrom(kid);
    }
    if (absl::Now() - last_purge > absl::Hours(1)) {
      last_purge = absl::Now();
      (void)store_.PurgeKeys(storage::Now() - std::chrono::hours(1));
    }
  }
}

}  // namespace tokend::keys
