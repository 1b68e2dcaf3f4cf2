// Maps a request's path and method to its handler; answers 404 for an unknown
// path and 405 (with Allow) for a known path with another method.
#pragma once

#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "services/http/http_types.h"

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

struct Route {
  bhttp::verb method;
  Mode mode;
  Handler handler;
  FastHandler fast;  // optional: tried on the I/O thread before `handler`
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

 private:
  std::deque<Route> routes_;  // stable addresses
  absl::flat_hash_map<std::string, std::vector<const Route*>> by_path_;
  absl::flat_hash_map<std::string, std::vector<const Route*>> by_prefix_;  // "/api/user/"
  // The routes serving `path`, or null.
  const std::vector<const Route*>* Lookup(absl::string_view path) const;
};

}  // namespace tokend::http
