#include "services/admin/token_inventory.h"

#include "absl/strings/numbers.h"
#include "services/admin/page_token.h"
#include "services/token/oauth_error.h"

namespace tokend {
namespace {

constexpr char kTokenListing[] = "tokens";

}  // namespace

absl::StatusOr<TokenPage> TokenInventory::List(const TokenListRequest& r) {
  if (r.owner.user_id.empty() == r.owner.client_id.empty()) {
    return oauth::InvalidRequest("Name exactly one of user_id and client_id.");
  }
  auto size = paging::PageSize(r.page_size);
  if (!size.ok()) return size.status();
  storage::TokenQuery q{r.owner, r.include_inactive, std::nullopt, *size + 1};
  std::string fingerprint = paging::Fingerprint(
      {r.owner.user_id, r.owner.client_id, r.include_inactive ? "all" : "live"});
  if (!r.page_token.empty()) {
    auto key = paging::Decode(r.page_token, kTokenListing, fingerprint, 2);
    if (!key.ok()) return key.status();
    int64_t issued = 0;
    if (!absl::SimpleAtoi((*key)[0], &issued) || (*key)[1].empty()) {
      return paging::InvalidPageToken();
    }
    q.after = std::make_pair(storage::FromUnixMicros(issued), (*key)[1]);
  }
  auto rows = store_.ListTokens(q);
  if (!rows.ok()) return rows.status();
  TokenPage page;
  page.tokens = *std::move(rows);
  if (page.tokens.size() > static_cast<size_t>(*size)) {
    page.tokens.resize(*size);
    const auto& last = page.tokens.back();
    page.next_page_token = paging::Encode(
        kTokenListing, fingerprint, {std::to_string(storage::ToUnixMicros(last.issued_at)), last.jti});
  }
  return page;
}

absl::StatusOr<RevokeProgress> TokenInventory::RevokeAll(
    const storage::TokenOwner& owner, const std::function<bool(const RevokeProgress&)>& progress) {
  if (owner.user_id.empty() && owner.client_id.empty()) {
    return oauth::InvalidRequest("Name a user_id, a client_id, or both.");
  }
  auto live = store_.CountLive(owner);
  if (!live.ok()) return live.status();
  RevokeProgress p{live->first, live->second, 0, 0, false};
  if (!progress(p)) return absl::CancelledError("the caller went away");
  for (;;) {
    auto batch = store_.RevokeBatch(owner, kRevokeBatch, "revoked by admin");
    if (!batch.ok()) return batch.status();
    for (const auto& f : batch->families) cache_.EraseFamily(f);
    for (const auto& d : batch->token_digests) cache_.EraseToken(d);
    p.revoked_families += static_cast<int64_t>(batch->families.size());
    p.revoked_tokens += static_cast<int64_t>(batch->token_digests.size());
    p.done = batch->families.empty() && batch->token_digests.empty();
    if (p.done) return p;
    if (!progress(p)) return absl::CancelledError("the caller went away");
  }
}

}  // namespace tokend
