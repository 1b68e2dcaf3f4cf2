// Maps a request's path and method to its handler; answers 404 for an unknown
// path and 405 (with Allow) for a known path with another method.
#pragma once

#include <array>
#include <deque>
#include <memory>
#include <functional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "services/http/http_types.h"
#include "services/metrics/metrics.h"

namespace tokend::http {

using Handler = std::function<Response(const Request&)>;
// A non-blocking first attempt at a request: returns false (and never calls
// `reply`) when the answer needs blocking work; otherwise calls `reply` once,
// from any thread.
using Reply = std::function<void(Response)>;
using FastHandler = std::function<bool(const Request&, Reply)>;

enum class Mode {
  kInline,    // cheap and non-blocking: runs on the I/O thread
  kBlocking,  // may block (core, PostgreSQL): runs on the executor
};

// Requests answered by one route (or by none: 404/405), for /metrics.
struct RouteStats {
  std::string path;  // the route's first path; "other" for no route
  std::string method;
  std::array<metrics::Counter, 600> by_status;  // indexed by HTTP status code
  metrics::Histogram latency{metrics::LatencyBuckets()};
  void Record(unsigned status, double seconds) {
    by_status[status < by_status.size() ? status : 0].Add();
    latency.Observe(seconds);
  }
};

struct Route {
  bhttp::verb method;
  Mode mode;
  Handler handler;
  FastHandler fast;  // optional: tried on the I/O thread before `handler`
  RouteStats* stats = nullptr;
};

class Router {
 public:
  // Serves `method` on each of `paths` (aliases share one handler). A path
  // ending in "/*" matches every longer path under that prefix (the handler
  // reads the rest from the target), e.g. "/api/user/*" for /api/user/<id>;
  // exact paths win over prefixes, longer prefixes over shorter ones.
  void Add(const std::vector<std::string>& paths, bhttp::verb method, Mode mode, Handler handler,
           FastHandler fast = nullptr);

  struct Match {
    const Route* route = nullptr;  // null: answer `response` (404 or 405)
    Response response;
  };
  // Matches the request target's path (the query is ignored).
  Match Find(const Request& req) const;

  // Where requests no route serves are counted.
  RouteStats* unmatched() const { return unmatched_.get(); }
  // tokend_http_requests_total and tokend_http_request_duration_seconds.
  void Collect(metrics::Exposition& out) const;

 private:
  std::deque<Route> routes_;  // stable addresses
  std::deque<RouteStats> stats_;
  std::unique_ptr<RouteStats> unmatched_ = [] {
    auto s = std::make_unique<RouteStats>();
    s->path = "other";
    return s;
  }();
  absl::flat_hash_map<std::string, std::vector<const Route*>> by_path_;
  absl::flat_hash_map<std::string, std::vector<const Route*>> by_prefix_;  // "/api/user/"
  // The routes serving `path`, or null.
  const std::vector<const Route*>* Lookup(absl::string_view path) const;
};

}  // namespace tokend::http
