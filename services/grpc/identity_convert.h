// Identity records ↔ protos: roles (admin.proto) and Blender ID's user
// profiles and badges (identity.proto), including the role update mask.
#pragma once

#include "absl/status/status.h"
#include "services/identity/identity_service.h"
#include "storage/identity_store.h"
#include "tokend/v1/admin.pb.h"
#include "tokend/v1/identity.pb.h"

namespace tokend::grpc_adapter {

void ToProto(const storage::RoleRecord& in, v1::Role* out);
void ToProto(const storage::UserRole& in, v1::UserRoleGrant* out);
void ToProto(const identity::UserProfile& in, v1::UserProfile* out);
void ToProto(const storage::RoleRecord& in, v1::Badge* out);

// A record for CreateRole (is_active defaults to true; managed_roles kept).
storage::RoleRecord RoleFromProto(const v1::Role& in);

// Copies the fields named by `mask` (or, with an empty mask, every field set
// to a non-default value) onto `record`. INVALID_ARGUMENT names an unknown or
// read-only path (name, managed_roles, times).
absl::Status ApplyRoleMask(const v1::Role& in, const google::protobuf::FieldMask& mask,
                           storage::RoleRecord* record);

google::protobuf::Timestamp ToTimestamp(storage::Time t);
storage::Time FromTimestamp(const google::protobuf::Timestamp& t);

}  // namespace tokend::grpc_adapter
