// AdminService's audit and token RPCs (declared in admin_grpc_service.h).
#include "services/grpc/admin_convert.h"
#include "services/grpc/admin_grpc_service.h"
#include "services/grpc/status_conversion.h"

namespace tokend::grpc_adapter {
namespace {

#define TOKEND_CHECK_LEDGER_PART(ctx, part)                                                 \
  if (auto key = CheckKey(ctx); !key.ok()) return key;                                     \
  if ((part) == nullptr) {                                                                  \
    return ToAdminStatus(absl::FailedPreconditionError("the operator API is not configured")); \
  }

void ToProto(const RevokeProgress& in, v1::RevokeTokensResponse* out) {
  out->set_total_families(in.total_families);
  out->set_total_tokens(in.total_tokens);
  out->set_revoked_families(in.revoked_families);
  out->set_revoked_tokens(in.revoked_tokens);
  out->set_done(in.done);
}

}  // namespace

grpc::Status AdminGrpcService::ListAuditEvents(grpc::ServerContext* ctx,
                                               const v1::ListAuditEventsRequest* req,
                                               v1::ListAuditEventsResponse* resp) {
  TOKEND_CHECK_LEDGER_PART(ctx, audit_);
  AuditListRequest list{req->client_id(), req->user_id(),
                        {req->event_types().begin(), req->event_types().end()},
                        std::nullopt, std::nullopt, req->page_size(), req->page_token()};
  auto start = TimeBound("start_time", req->has_start_time(), req->start_time());
  if (!start.ok()) return ToAdminStatus(start.status());
  auto end = TimeBound("end_time", req->has_end_time(), req->end_time());
  if (!end.ok()) return ToAdminStatus(end.status());
  list.start = *start;
  list.end = *end;
  auto page = audit_->List(list);
  if (!page.ok()) return ToAdminStatus(page.status());
  for (const auto& e : page->events) ToProto(e, resp->add_audit_events());
  resp->set_next_page_token(page->next_page_token);
  return grpc::Status::OK;
}

grpc::Status AdminGrpcService::ListTokens(grpc::ServerContext* ctx, const v1::ListTokensRequest* req,
                                          v1::ListTokensResponse* resp) {
  TOKEND_CHECK_LEDGER_PART(ctx, inventory_);
  TokenListRequest list{{req->user_id(), req->client_id()}, req->include_inactive(),
                        req->page_size(), req->page_token()};
  auto page = inventory_->List(list);
  if (!page.ok()) return ToAdminStatus(page.status());
  for (const auto& t : page->tokens) ToProto(t, resp->add_tokens());
  resp->set_next_page_token(page->next_page_token);
  return grpc::Status::OK;
}

grpc::Status AdminGrpcService::RevokeTokens(grpc::ServerContext* ctx,
                                            const v1::RevokeTokensRequest* req,
                                            grpc::ServerWriter<v1::RevokeTokensResponse>* writer) {
  TOKEND_CHECK_LEDGER_PART(ctx, inventory_);
  auto report = [&](const RevokeProgress& p) {
    if (ctx->IsCancelled()) return false;
    v1::RevokeTokensResponse msg;
    ToProto(p, &msg);
    return writer->Write(msg);
  };
  auto final_progress = inventory_->RevokeAll({req->user_id(), req->client_id()}, report);
  if (!final_progress.ok()) return ToAdminStatus(final_progress.status());
  v1::RevokeTokensResponse last;
  ToProto(*final_progress, &last);
  writer->WriteLast(last, grpc::WriteOptions());
  return grpc::Status::OK;
}

}  // namespace tokend::grpc_adapter
