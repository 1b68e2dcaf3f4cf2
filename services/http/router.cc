#include "services/http/router.h"

#include "absl/strings/str_join.h"
#include "services/http/json_response.h"

namespace tokend::http {

void Router::Add(const std::vector<std::string>& paths, bhttp::verb method, Mode mode,
                 Handler handler, FastHandler fast) {
  const Route& route =
      routes_.emplace_back(Route{method, mode, std::move(handler), std::move(fast)});
  for (const auto& path : paths) by_path_[path].push_back(&route);
}

Router::Match Router::Find(const Request& req) const {
  absl::string_view target = ToAbsl(req.target());
  absl::string_view path = target.substr(0, target.find('?'));
  Match match;
  auto it = by_path_.find(path);
  if (it == by_path_.end()) {
    match.response = ErrorResponse(bhttp::status::not_found, "not_found", "No such endpoint.");
    return match;
  }
  std::vector<std::string> allowed;
  for (const Route* route : it->second) {
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

}  // namespace tokend::http
