#include "storage/postgres/group_commit_writer.h"

#include <pqxx/pqxx>

#include "storage/postgres/token_writes.h"

namespace tokend::storage::pg {

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
    InsertIssuedTokens(tx, rows);
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
