// The ledger's audit rows for operators: filtered, newest first, paged.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "storage/admin_store.h"

namespace tokend {

struct AuditListRequest {
  std::string client_id;            // empty: any
  std::string user_id;              // empty: any
  std::vector<std::string> events;  // empty: any
  std::optional<storage::Time> start;  // inclusive
  std::optional<storage::Time> end;    // exclusive
  int32_t page_size = 0;               // 0: 100; at most 1000
  std::string page_token;
};

struct AuditPage {
  std::vector<storage::AuditEventRecord> events;
  std::string next_page_token;  // empty on the last page
};

class AuditLog {
 public:
  explicit AuditLog(storage::AuditStore& store) : store_(store) {}

  // invalid_request (INVALID_ARGUMENT) for a negative page size, an empty
  // event name, start not before end, or a page token that is not this
  // query's; UNAVAILABLE / INTERNAL from the ledger.
  absl::StatusOr<AuditPage> List(const AuditListRequest& request);

 private:
  storage::AuditStore& store_;
};

}  // namespace tokend
