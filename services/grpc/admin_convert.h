// Admin protos ↔ ledger records, including update masks (AIP-134).
#pragma once

#include "absl/status/statusor.h"
#include <optional>

#include "storage/admin_store.h"
#include "storage/records.h"
#include "tokend/v1/admin.pb.h"

namespace tokend::grpc_adapter {

void ToProto(const storage::ClientRecord& in, v1::Client* out);
void ToProto(const storage::UserRecord& in, v1::User* out);
void ToProto(const storage::SigningKeyRecord& in, v1::SigningKey* out);
void ToProto(const storage::AuditEventRecord& in, v1::AuditEvent* out);
// Metadata only: the record's digest is never copied.
void ToProto(const storage::TokenRecord& in, v1::LedgerToken* out);

// A time-range bound: nullopt when unset, invalid_request (naming `field`)
// when not a valid Timestamp. Rounded up to the ledger's microsecond, which
// keeps both an inclusive and an exclusive bound exact.
absl::StatusOr<std::optional<storage::Time>> TimeBound(const char* field, bool set,
                                                       const google::protobuf::Timestamp& t);

// A record for CreateClient: defaults for unset lifetimes and session limit.
storage::ClientRecord ClientFromProto(const v1::Client& in);
storage::UserRecord UserFromProto(const v1::User& in);

// Copies the fields named by `mask` (or, with an empty mask, every field set
// to a non-default value) from `in` onto `record`. INVALID_ARGUMENT names an
// unknown or read-only path.
absl::Status ApplyClientMask(const v1::Client& in, const google::protobuf::FieldMask& mask,
                             storage::ClientRecord* record);
absl::Status ApplyUserMask(const v1::User& in, const google::protobuf::FieldMask& mask,
                           storage::UserRecord* record);

}  // namespace tokend::grpc_adapter
