#include "storage/postgres/group_commit_writer.h"

#include <pqxx/pqxx>

#include "storage/postgres/row_codec.h"
#include "storage/postgres/statements.h"

namespace tokend::storage::pg {

namespace {

// Runs `statement`, which takes the tokens as the parallel arrays below
// ($1-$11), then `more` parameters.
template <typename... More>
void ExecTokenInsert(pqxx::transaction_base& tx, const char* statement,
                     const std::vector<const TokenRecord*>& rows, const More&... more) {
  std::vector<std::string> digest, client, user, family, scope, audience, jti, format;
  std::vector<int> kind;
  std::vector<int64_t> issued, expires;
  for (const TokenRecord* t : rows) {
    digest.push_back(ToHex(t->digest));
    kind.push_back(static_cast<int>(t->kind));
    client.push_back(t->client_id);
    user.push_back(t->user_id);
    family.push_back(t->family_id);
    scope.push_back(t->scope);
    audience.push_back(t->audience);
    jti.push_back(t->jti);
    format.push_back(t->format == TokenFormat::kDefault ? "" : TokenFormatName(t->format));
    issued.push_back(ToUnixMicros(t->issued_at));
    expires.push_back(ToUnixMicros(t->expires_at));
  }
  tx.exec_prepared(statement, TextArray(digest), IntArray(kind), TextArray(client),
                   TextArray(user), TextArray(family), TextArray(scope), TextArray(audience),
                   TextArray(jti), IntArray(issued), IntArray(expires), TextArray(format),
                   more...);
}

}  // namespace

void InsertTokens(pqxx::work& tx, const std::vector<const TokenRecord*>& rows) {
  ExecTokenInsert(tx, stmt::kInsertTokens, rows);
}

void RecordRotation(pqxx::work& tx, const std::vector<const TokenRecord*>& rows,
                    const TokenRecord& consumed, Time family_expires_at) {
  ExecTokenInsert(tx, stmt::kRecordRotation, rows, consumed.family_id,
                  ToUnixMicros(family_expires_at), consumed.client_id, consumed.user_id);
}

GroupCommitWriter::GroupCommitWriter(ConnectionPool& pool, Options options)
    : pool_(pool), options_(options) {
  for (int i = 0; i < options_.writers; ++i) threads_.emplace_back([this] { Loop(); });
}

GroupCommitWriter::~GroupCommitWriter() { Flush(); }

void GroupCommitWriter::Flush() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void GroupCommitWriter::Write(std::vector<TokenRecord> tokens,
                              std::function<void(absl::Status)> done) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      queue_.push_back(Pending{std::move(tokens), std::move(done)});
      // A busy writer takes the queue when it finishes its batch; waking a
      // second one for every write costs more than it batches.
      if (idle_writers_ > 0) cv_.notify_one();
      return;
    }
  }
  done(absl::UnavailableError("shutting down"));
}

absl::Status GroupCommitWriter::Commit(const std::vector<const TokenRecord*>& rows) {
  return pool_.Run([&](pqxx::connection& conn) {
    // One statement in autocommit is its own transaction: one round trip.
    pqxx::nontransaction tx(conn);
    ExecTokenInsert(tx, stmt::kInsertIssuedTokens, rows);
    return absl::OkStatus();
  });
}

void GroupCommitWriter::Loop() {
  for (;;) {
    std::vector<Pending> batch;
    {
      std::unique_lock lock(mu_);
      ++idle_writers_;
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      --idle_writers_;
      if (queue_.empty()) return;
      size_t rows = 0;
      while (!queue_.empty() && (batch.empty() || rows + queue_.front().tokens.size() <= options_.max_batch)) {
        rows += queue_.front().tokens.size();
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    std::vector<const TokenRecord*> rows;
    for (auto& p : batch) {
      for (auto& t : p.tokens) rows.push_back(&t);
    }
    auto started = std::chrono::steady_clock::now();
    absl::Status st = Commit(rows);
    if (st.ok()) {
      commit_seconds_.Observe(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      batch_rows_.Observe(static_cast<double>(rows.size()));
      commits_.fetch_add(1);
      tokens_.fetch_add(rows.size());
    }
    if (!st.ok() && !absl::IsUnavailable(st) && batch.size() > 1) {
      // One bad request (say, its client was deleted meanwhile) must not fail
      // the others: commit each on its own.
      for (auto& p : batch) {
        std::vector<const TokenRecord*> own;
        for (auto& t : p.tokens) own.push_back(&t);
        p.done(Commit(own));
      }
      continue;
    }
    for (auto& p : batch) p.done(st);
  }
}

}  // namespace tokend::storage::pg
