#include "services/http/router.h"

#include <gtest/gtest.h>

namespace tokend::http {
namespace {

Request Get(const std::string& target, bhttp::verb method = bhttp::verb::get) {
  Request req{method, target, 11};
  return req;
}

Handler Named(std::string name) {
  return [name](const Request&) {
    Response res{bhttp::status::ok, 11};
    res.body() = name;
    return res;
  };
}

std::string Served(const Router& r, const std::string& target,
                   bhttp::verb method = bhttp::verb::get) {
  auto match = r.Find(Get(target, method));
  if (match.route == nullptr) return std::to_string(match.response.result_int());
  return match.route->handler(Get(target)).body();
}

TEST(RouterTest, ExactPathsWinOverPrefixesAndLongerPrefixesWin) {
  Router r;
  r.Add({"/api/user"}, bhttp::verb::get, Mode::kInline, Named("me"));
  r.Add({"/api/user/*"}, bhttp::verb::get, Mode::kInline, Named("user"));
  r.Add({"/api/*"}, bhttp::verb::get, Mode::kInline, Named("api"));
  EXPECT_EQ(Served(r, "/api/user"), "me");
  EXPECT_EQ(Served(r, "/api/user/42?x=1"), "user");
  EXPECT_EQ(Served(r, "/api/badges/42"), "api");
  // The prefix itself (nothing after the slash) is not a match.
  EXPECT_EQ(Served(r, "/api/"), "404");
  EXPECT_EQ(Served(r, "/other"), "404");
}

TEST(RouterTest, PrefixRoutesAnswer405WithAllow) {
  Router r;
  r.Add({"/api/badger/grant/*"}, bhttp::verb::post, Mode::kInline, Named("grant"));
  auto match = r.Find(Get("/api/badger/grant/role/a@b"));
  ASSERT_EQ(match.route, nullptr);
  EXPECT_EQ(match.response.result(), bhttp::status::method_not_allowed);
  EXPECT_EQ(match.response[bhttp::field::allow], "POST");
  EXPECT_EQ(Served(r, "/api/badger/grant/role/a@b", bhttp::verb::post), "grant");
}

}  // namespace
}  // namespace tokend::http
