#include "services/admin/audit_log.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "services/admin/page_token.h"
#include "services/token/oauth_error.h"

namespace tokend {
namespace {

constexpr char kAuditListing[] = "audit";

std::string TimeFilter(const std::optional<storage::Time>& t) {
  return t ? std::to_string(storage::ToUnixMicros(*t)) : "";
}

}  // namespace

absl::StatusOr<AuditPage> AuditLog::List(const AuditListRequest& r) {
  auto size = paging::PageSize(r.page_size);
  if (!size.ok()) return size.status();
  for (const auto& e : r.events) {
    if (e.empty()) return oauth::InvalidRequest("event_types: an event type must not be empty.");
  }
  if (r.start && r.end && *r.start >= *r.end) {
    return oauth::InvalidRequest("start_time: must be before end_time.");
  }
  storage::AuditQuery q{r.client_id, r.user_id, r.events, r.start, r.end, std::nullopt, *size + 1};
  std::string fingerprint = paging::Fingerprint(
      {r.client_id, r.user_id, absl::StrJoin(r.events, ","), TimeFilter(r.start), TimeFilter(r.end)});
  if (!r.page_token.empty()) {
    auto key = paging::Decode(r.page_token, kAuditListing, fingerprint, 2);
    if (!key.ok()) return key.status();
    int64_t at = 0, id = 0;
    if (!absl::SimpleAtoi((*key)[0], &at) || !absl::SimpleAtoi((*key)[1], &id)) {
      return paging::InvalidPageToken();
    }
    q.after = std::make_pair(storage::FromUnixMicros(at), id);
  }
  auto rows = store_.ListAuditEvents(q);
  if (!rows.ok()) return rows.status();
  AuditPage page;
  page.events = *std::move(rows);
  if (page.events.size() > static_cast<size_t>(*size)) {
    page.events.resize(*size);
    const auto& last = page.events.back();
    page.next_page_token = paging::Encode(
        kAuditListing, fingerprint,
        {std::to_string(storage::ToUnixMicros(last.at)), std::to_string(last.id)});
  }
  return page;
}

}  // namespace tokend
