#include "services/http/router.h"

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "services/http/json_response.h"

namespace tokend::http {

void Router::Add(const std::vector<std::string>& paths, bhttp::verb method, Mode mode,
                 Handler handler, FastHandler fast) {
  RouteStats& stats = stats_.emplace_back();
  stats.path = paths.empty() ? "" : paths.front();
  stats.method = std::string(ToAbsl(bhttp::to_string(method)));
  const Route& route =
      routes_.emplace_back(Route{method, mode, std::move(handler), std::move(fast), &stats});
  for (const auto& path : paths) {
    if (absl::EndsWith(path, "/*")) {
      by_prefix_[path.substr(0, path.size() - 1)].push_back(&route);
    } else {
      by_path_[path].push_back(&route);
    }
  }
}

const std::vector<const Route*>* Router::Lookup(absl::string_view path) const {
  if (auto it = by_path_.find(path); it != by_path_.end()) return &it->second;
  const std::vector<const Route*>* best = nullptr;
  size_t best_len = 0;
  for (const auto& [prefix, routes] : by_prefix_) {
    if (path.size() > prefix.size() && absl::StartsWith(path, prefix) && prefix.size() > best_len) {
      best = &routes;
      best_len = prefix.size();
    }
  }
  return best;
}

Router::Match Router::Find(const Request& req) const {
  absl::string_view target = ToAbsl(req.target());
  absl::string_view path = target.substr(0, target.find('?'));
  Match match;
  const std::vector<const Route*>* routes = Lookup(path);
  if (routes == nullptr) {
    match.response = ErrorResponse(bhttp::status::not_found, "not_found", "No such endpoint.");
    return match;
  }
  std::vector<std::string> allowed;
  for (const Route* route : *routes) {
    if (route->method == req.method()) {
      match.route = route;
      return match;
    }
    allowed.emplace_back(ToAbsl(bhttp::to_string(route->method)));
  }
  match.response = ErrorResponse(bhttp::status::method_not_allowed, "method_not_allowed",
                                 "The endpoint does not support this method.");
  match.response.set(bhttp::field::allow, absl::StrJoin(allowed, ", "));
  return match;
}

void Router::Collect(metrics::Exposition& out) const {
  auto each = [&](const std::function<void(const RouteStats&)>& f) {
    for (const auto& s : stats_) f(s);
    f(*unmatched_);
  };
  out.Family("tokend_http_requests_total", "counter", "HTTP requests by route, method and status.");
  each([&](const RouteStats& s) {
    for (size_t code = 0; code < s.by_status.size(); ++code) {
      uint64_t n = s.by_status[code].Value();
      if (n == 0) continue;
      out.Sample("tokend_http_requests_total",
                 {{"path", s.path}, {"method", s.method}, {"code", std::to_string(code)}}, n);
    }
  });
  out.Family("tokend_http_request_duration_seconds", "histogram",
             "Time from reading an HTTP request to handing its answer to the socket.");
  each([&](const RouteStats& s) {
    if (s.latency.Read().count == 0) return;
    out.HistogramSamples("tokend_http_request_duration_seconds",
                         {{"path", s.path}, {"method", s.method}}, s.latency);
  });
}

}  // namespace tokend::http
