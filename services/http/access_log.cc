#include "services/http/access_log.h"

#include <string>

#include "services/logging/access_log.h"

namespace tokend::http {
namespace {

constexpr char kClientIdNote[] = "X-Tokend-Note-Client-Id";
constexpr char kOutcomeNote[] = "X-Tokend-Note-Outcome";

// The note's value (empty when absent), removed from `res`.
std::string TakeNote(Response& res, const char* name) {
  auto it = res.find(name);
  if (it == res.end()) return "";
  std::string value(ToAbsl(it->value()));
  res.erase(name);
  return value;
}

}  // namespace

void NoteClientId(Response& res, absl::string_view client_id) {
  if (client_id.empty()) return;
  // A presented client id is anyone's bytes: no control character may reach
  // a header field (CR/LF would split it), and the log needs no more than 256.
  std::string safe(client_id.substr(0, 256));
  for (char& c : safe) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  res.set(kClientIdNote, safe);
}

void NoteOutcome(Response& res, absl::string_view error) {
  res.set(kOutcomeNote, beast::string_view(error.data(), error.size()));
}

void LogAccessAndStripNotes(Response& res, const AccessContext& ctx) {
  std::string client_id = TakeNote(res, kClientIdNote);
  std::string outcome = TakeNote(res, kOutcomeNote);
  if (outcome.empty()) outcome = res.result_int() < 400 ? "ok" : "error";
  logging::LogAccess({.request_id = ctx.request_id,
                      .method = ctx.method,
                      .path = ctx.path,
                      .client_id = client_id,
                      .outcome = outcome,
                      .http_status = static_cast<int>(res.result_int()),
                      .latency_ms = ctx.latency_seconds * 1000});
}

}  // namespace tokend::http
