#include "tests/bench/token_load.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <condition_variable>

#include "absl/strings/str_cat.h"
#include "http_fetch.h"
#include "services/common/basic_auth.h"
#include "tokend/v1/token.grpc.pb.h"
#include "tokend_client.h"

namespace tokend::bench {
namespace {

constexpr size_t kRecent = 256;

std::string GrpcFailure(const grpc::Status& st) {
  std::string kind = absl::StrCat("grpc ", client::StatusCodeName(st.error_code()));
  std::string error = client::ErrorFromStatus(st).error;
  return error.empty() ? kind : absl::StrCat(kind, " ", error);
}

std::string JsonString(const std::string& body, const std::string& field) {
  google::protobuf::Struct doc;
  if (!google::protobuf::util::JsonStringToMessage(body, &doc).ok()) return "";
  auto it = doc.fields().find(field);
  return it == doc.fields().end() ? "" : it->second.string_value();
}

// One asynchronous unary call and what it owns until it completes.
template <typename Req, typename Resp>
struct Call {
  grpc::ClientContext ctx;
  Req req;
  Resp resp;
};

}  // namespace

// Runs functions after a delay on one thread; on destruction, runs what is
// left at once.
class TokenLoad::Delayer {
 public:
  Delayer() : thread_([this] { Loop(); }) {}
  ~Delayer() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void After(std::chrono::milliseconds delay, std::function<void()> f) {
    {
      std::lock_guard lock(mu_);
      queue_.emplace(Clock::now() + delay, std::move(f));
    }
    cv_.notify_all();
  }

 private:
  void Loop() {
    std::unique_lock lock(mu_);
    for (;;) {
      if (queue_.empty()) {
        if (stopping_) return;
        cv_.wait(lock);
        continue;
      }
      auto first = queue_.begin();
      if (!stopping_ && first->first > Clock::now()) {
        cv_.wait_until(lock, first->first);
        continue;
      }
      auto f = std::move(first->second);
      queue_.erase(first);
      lock.unlock();
      f();
      lock.lock();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::multimap<Clock::time_point, std::function<void()>> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

struct TokenLoad::Grpc {
  std::unique_ptr<v1::TokenService::Stub> stub;
};

TokenLoad::TokenLoad(TokenLoadOptions options)
    : options_(std::move(options)), grpc_(std::make_unique<Grpc>()),
      delayer_(std::make_unique<Delayer>()) {
  grpc_->stub = v1::TokenService::NewStub(
      grpc::CreateChannel(options_.grpc_addr, grpc::InsecureChannelCredentials()));
  refresh_.resize(options_.grpc_in_flight);
}

TokenLoad::~TokenLoad() { Stop(); }

void TokenLoad::Start() {
  running_ = true;
  if (options_.grpc_in_flight > 0) {
    grpc_thread_ = std::thread([this] {
      RunClosedLoopWhile(options_.grpc_in_flight, [this] { return running_.load(); },
                         [this](int loop, std::function<void(bool)> done) {
                           StartCall(loop, std::move(done));
                         });
    });
  }
  for (int i = 0; i < options_.http_threads; ++i) http_threads_.emplace_back([this] { HttpLoop(); });
}

void TokenLoad::Stop() {
  running_ = false;
  if (grpc_thread_.joinable()) grpc_thread_.join();
  for (auto& t : http_threads_) t.join();
  http_threads_.clear();
}

void TokenLoad::Record(Clock::time_point start, const std::string& failure,
                       std::vector<std::string> tokens) {
  auto end = Clock::now();
  (failure.empty() ? ok_ : failed_).fetch_add(1);
  std::lock_guard lock(mu_);
  int kind = -1;
  if (!failure.empty()) {
    failures_[failure]++;
    auto it = std::find(kinds_.begin(), kinds_.end(), failure);
    kind = static_cast<int>(it - kinds_.begin());
    if (it == kinds_.end()) kinds_.push_back(failure);
  }
  if (!options_.keep_records) return;
  records_.push_back({start, end, kind});
  for (auto& t : tokens) tokens_.push_back(std::move(t));
}

void TokenLoad::Remember(const std::string& access_token) {
  std::lock_guard lock(mu_);
  if (recent_.size() < kRecent) {
    recent_.push_back(access_token);
  } else {
    recent_[recent_next_++ % kRecent] = access_token;
  }
}

std::string TokenLoad::Recent(bool take) {
  std::lock_guard lock(mu_);
  if (recent_.empty()) return "";
  if (!take) return recent_[(recent_next_ + recent_.size() / 2) % recent_.size()];
  std::string token = std::move(recent_.back());
  recent_.pop_back();
  return token;
}

void TokenLoad::StartCall(int loop, std::function<void(bool)> done) {
  auto start = Clock::now();
  // Ends the call: records it, then lets the loop go on (after a pause when
  // it failed).
  auto end = [this, start, done](const std::string& failure, std::vector<std::string> tokens) {
    Record(start, failure, std::move(tokens));
    if (failure.empty() || options_.pause_after_failure.count() == 0) {
      done(failure.empty());
    } else {
      delayer_->After(options_.pause_after_failure, [done] { done(false); });
    }
  };
  auto send = [this](auto* call, auto invoke, auto then) {
    client::AddClientAuth(&call->ctx, options_.client_id, options_.client_secret);
    call->ctx.set_deadline(std::chrono::system_clock::now() + options_.deadline);
    invoke(grpc_->stub->async(), call, [call, then](grpc::Status st) {
      then(st, call->resp);
      delete call;
    });
  };
  auto issue = [&](v1::IssueTokenRequest req, std::function<void(const v1::IssueTokenResponse&)> ok) {
    auto* call = new Call<v1::IssueTokenRequest, v1::IssueTokenResponse>;
    call->req = std::move(req);
    send(call,
         [](auto* async, auto* c, auto cb) { async->IssueToken(&c->ctx, &c->req, &c->resp, cb); },
         [this, end, ok](const grpc::Status& st, const v1::IssueTokenResponse& resp) {
           if (!st.ok()) return end(GrpcFailure(st), {});
           // Introspect and Revoke take client_credentials tokens: revoking a
           // session's token would break its refresh chain.
           if (resp.refresh_token().empty()) Remember(resp.access_token());
           if (ok) ok(resp);
           std::vector<std::string> tokens = {resp.access_token()};
           if (!resp.refresh_token().empty()) tokens.push_back(resp.refresh_token());
           end("", std::move(tokens));
         });
  };
  v1::IssueTokenRequest client_credentials;
  client_credentials.mutable_client_credentials();
  v1::IssueTokenRequest login;
  login.mutable_password()->set_username(options_.username);
  login.mutable_password()->set_password(options_.password);

  const auto& ops = options_.grpc_ops;
  Op op = ops[loop % ops.size()];
  std::string token;
  if (op == Op::kIntrospect || op == Op::kRevoke) {
    token = Recent(op == Op::kRevoke);
    if (token.empty()) op = Op::kIssue;  // nothing issued yet
  }
  std::string refresh_token;
  if (op == Op::kRefresh) {
    std::lock_guard lock(mu_);
    refresh_token = refresh_[loop];
  }
  switch (op) {
    case Op::kIssue:
      return issue(client_credentials, nullptr);
    case Op::kPassword:
      return issue(login, nullptr);
    case Op::kRefresh: {
      if (refresh_token.empty()) {
        return issue(login, [this, loop](const v1::IssueTokenResponse& resp) {
          std::lock_guard lock(mu_);
          refresh_[loop] = resp.refresh_token();
        });
      }
      auto* call = new Call<v1::RefreshRequest, v1::RefreshResponse>;
      call->req.set_refresh_token(refresh_token);
      return send(
          call, [](auto* async, auto* c, auto cb) { async->Refresh(&c->ctx, &c->req, &c->resp, cb); },
          [this, end, loop](const grpc::Status& st, const v1::RefreshResponse& resp) {
            {
              std::lock_guard lock(mu_);  // a broken chain starts again with a login
              refresh_[loop] = st.ok() ? resp.refresh_token() : "";
            }
            if (!st.ok()) return end(GrpcFailure(st), {});
            end("", {resp.access_token(), resp.refresh_token()});
          });
    }
    case Op::kIntrospect: {
      auto* call = new Call<v1::IntrospectRequest, v1::IntrospectResponse>;
      call->req.set_token(token);
      return send(
          call,
          [](auto* async, auto* c, auto cb) { async->Introspect(&c->ctx, &c->req, &c->resp, cb); },
          [end](const grpc::Status& st, const v1::IntrospectResponse&) {
            end(st.ok() ? "" : GrpcFailure(st), {});
          });
    }
    case Op::kRevoke: {
      auto* call = new Call<v1::RevokeRequest, v1::RevokeResponse>;
      call->req.set_token(token);
      return send(
          call, [](auto* async, auto* c, auto cb) { async->Revoke(&c->ctx, &c->req, &c->resp, cb); },
          [end](const grpc::Status& st, const v1::RevokeResponse&) {
            end(st.ok() ? "" : GrpcFailure(st), {});
          });
    }
  }
}

void TokenLoad::HttpLoop() {
  const std::string url = absl::StrCat("http://", options_.http_addr, "/oauth/token");
  const std::map<std::string, std::string> headers = {
      {"Authorization", basic_auth::Format(options_.client_id, options_.client_secret)}};
  client::HttpOptions http;
  http.timeout = options_.deadline;
  while (running_) {
    auto start = Clock::now();
    auto reply = client::HttpCall(url, "grant_type=client_credentials", headers, http);
    std::string failure, token;
    if (!reply.ok()) {
      failure = "http no answer";
    } else if (reply->status == 200 && !(token = JsonString(reply->body, "access_token")).empty()) {
      Remember(token);
    } else {
      failure = absl::StrCat("http ", reply->status, " ", JsonString(reply->body, "error"));
    }
    Record(start, failure, token.empty() ? std::vector<std::string>{} : std::vector{token});
    if (!failure.empty()) std::this_thread::sleep_for(options_.pause_after_failure);
  }
}

std::map<std::string, uint64_t> TokenLoad::Failures() const {
  std::lock_guard lock(mu_);
  return failures_;
}

std::vector<std::string> TokenLoad::Tokens() const {
  std::lock_guard lock(mu_);
  return tokens_;
}

CallWindow TokenLoad::Between(Clock::time_point from, Clock::time_point to) const {
  std::lock_guard lock(mu_);
  CallWindow w;
  std::vector<double> failure_ms;
  for (const auto& r : records_) {
    if (r.end < from || r.end >= to) continue;
    double ms = std::chrono::duration<double, std::milli>(r.end - r.start).count();
    w.max_ms = std::max(w.max_ms, ms);
    if (r.kind < 0) {
      ++w.ok;
      continue;
    }
    ++w.failed;
    w.failures[kinds_[r.kind]]++;
    failure_ms.push_back(ms);
  }
  if (!failure_ms.empty()) {
    std::sort(failure_ms.begin(), failure_ms.end());
    w.median_failure_ms = failure_ms[failure_ms.size() / 2];
    w.max_failure_ms = failure_ms.back();
  }
  return w;
}

std::optional<Clock::time_point> TokenLoad::FirstSuccessStartedAfter(Clock::time_point t) const {
  std::lock_guard lock(mu_);
  std::optional<Clock::time_point> first;
  for (const auto& r : records_) {
    if (r.kind < 0 && r.start >= t && (!first || r.end < *first)) first = r.end;
  }
  return first;
}

}  // namespace tokend::bench
