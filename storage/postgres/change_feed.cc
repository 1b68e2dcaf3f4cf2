#include "storage/postgres/change_feed.h"

#include <chrono>
#include <pqxx/pqxx>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/logging/log.h"
#include "storage/postgres/row_codec.h"

namespace tokend::storage::pg {
namespace {

constexpr char kChannel[] = "tokend_changes";

void Notify(pqxx::transaction_base& tx, const std::string& payload) {
  tx.exec_params("SELECT pg_notify($1, $2)", kChannel, payload);
}

void NotifyAll(pqxx::transaction_base& tx, const std::vector<std::string>& payloads) {
  if (payloads.empty()) return;
  tx.exec_params("SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p", kChannel,
                 TextArray(payloads));
}

class Receiver final : public pqxx::notification_receiver {
 public:
  Receiver(pqxx::connection_base& c, const ChangeFeed::Handler& handler)
      : pqxx::notification_receiver(c, kChannel), handler_(handler) {}
  void operator()(const std::string& payload, int) override { handler_(ParseChange(payload)); }

 private:
  const ChangeFeed::Handler& handler_;
};

}  // namespace

void AnnounceTokenRevoked(pqxx::transaction_base& tx, const std::string& digest) {
  Notify(tx, absl::StrCat("t:", absl::BytesToHexString(digest)));
}
void AnnounceFamilyRevoked(pqxx::transaction_base& tx, const std::string& family_id) {
  Notify(tx, absl::StrCat("f:", family_id));
}
void AnnounceTokensRevoked(pqxx::transaction_base& tx, const std::vector<std::string>& digests) {
  std::vector<std::string> payloads;
  for (const auto& d : digests) payloads.push_back(absl::StrCat("t:", absl::BytesToHexString(d)));
  NotifyAll(tx, payloads);
}
void AnnounceFamiliesRevoked(pqxx::transaction_base& tx, const std::vector<std::string>& families) {
  std::vector<std::string> payloads;
  for (const auto& f : families) payloads.push_back(absl::StrCat("f:", f));
  NotifyAll(tx, payloads);
}
void AnnounceClientChanged(pqxx::transaction_base& tx, const std::string& client_id) {
  Notify(tx, absl::StrCat("c:", client_id));
}
void AnnounceReset(pqxx::transaction_base& tx) { Notify(tx, "r:"); }

Change ParseChange(absl::string_view payload) {
  absl::string_view key = payload.size() >= 2 ? payload.substr(2) : absl::string_view();
  if (absl::StartsWith(payload, "t:") && !key.empty()) {
    return {Change::Kind::kToken, absl::HexStringToBytes(key)};
  }
  if (absl::StartsWith(payload, "f:") && !key.empty()) return {Change::Kind::kFamily, std::string(key)};
  if (absl::StartsWith(payload, "c:") && !key.empty()) return {Change::Kind::kClient, std::string(key)};
  return {Change::Kind::kReset, ""};
}

ChangeFeed::ChangeFeed(std::string dsn, Handler handler)
    : dsn_(std::move(dsn)), handler_(std::move(handler)), thread_([this] { Run(); }) {}

ChangeFeed::~ChangeFeed() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void ChangeFeed::Run() {
  auto backoff = std::chrono::milliseconds(100);
  while (!stopping_) {
    try {
      pqxx::connection conn(dsn_);
      Receiver receiver(conn, handler_);
      conn.await_notification(0, 0);  // LISTEN is issued; nothing was missed after this
      connected_ = true;
      handler_({Change::Kind::kReset, ""});
      backoff = std::chrono::milliseconds(100);
      while (!stopping_) conn.await_notification(0, 200000);
    } catch (const std::exception& e) {
      if (connected_.exchange(false)) {
        logging::Warn("lost the notification connection; dropping caches")
            .Str("component", "change_feed");
        handler_({Change::Kind::kReset, ""});
      }
      auto until = std::chrono::steady_clock::now() + backoff;
      while (!stopping_ && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
    }
  }
}

}  // namespace tokend::storage::pg
