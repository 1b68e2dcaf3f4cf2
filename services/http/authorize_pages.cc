#include "services/http/authorize_pages.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace tokend::http {
namespace {

constexpr absl::string_view kStyle = R"css(
:root{color-scheme:light;--ink:#1d2433;--muted:#566074;--line:#d6dbe4;--accent:#1f5fbf;--bg:#f4f6fa;--bad:#a3221b}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:26rem;margin:8vh auto;padding:2rem;background:#fff;border:1px solid var(--line);border-radius:12px;box-shadow:0 2px 10px rgba(20,30,60,.06)}
h1{font-size:1.35rem;margin:0 0 1rem}
.app{display:flex;gap:.75rem;align-items:center;margin-bottom:1.25rem}
.app img{width:48px;height:48px;border-radius:8px;object-fit:cover;border:1px solid var(--line)}
.app a{color:var(--muted);font-size:.9rem}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input[type=text],input[type=password]{width:100%;padding:.6rem .7rem;border:1px solid #9aa4b5;border-radius:8px;font:inherit}
input:focus,button:focus{outline:3px solid #9cc2ff;outline-offset:1px}
button{font:inherit;font-weight:600;padding:.6rem 1.1rem;border-radius:8px;border:1px solid var(--accent);cursor:pointer}
.primary{background:var(--accent);color:#fff}
.secondary{background:#fff;color:var(--accent)}
.actions{display:flex;gap:.75rem;margin-top:1.5rem}
.error{color:var(--bad);background:#fdeeee;border:1px solid #f3c5c2;border-radius:8px;padding:.6rem .8rem}
ul.scopes{padding-left:1.2rem}
.muted{color:var(--muted);font-size:.9rem}
)css";

std::string Document(absl::string_view title, absl::string_view body) {
  return absl::StrCat("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
                      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
                      "<title>", EscapeHtml(title), "</title><style>", kStyle,
                      "</style></head><body><main>", body, "</main></body></html>\n");
}

// Only http(s) URLs are shown as links or images.
bool IsWebUrl(absl::string_view url) {
  return absl::StartsWith(url, "https://") || absl::StartsWith(url, "http://");
}

std::string AppHeader(const storage::ClientRecord& c) {
  std::string name = c.name.empty() ? c.client_id : c.name;
  std::string out = "<div class=\"app\">";
  if (IsWebUrl(c.logo_url)) {
    absl::StrAppend(&out, "<img src=\"", EscapeHtml(c.logo_url), "\" alt=\"", EscapeHtml(name),
                    " logo\">");
  }
  absl::StrAppend(&out, "<div><strong>", EscapeHtml(name), "</strong>");
  if (IsWebUrl(c.homepage_url)) {
    absl::StrAppend(&out, "<br><a href=\"", EscapeHtml(c.homepage_url),
                    "\" rel=\"noopener noreferrer\">", EscapeHtml(c.homepage_url), "</a>");
  }
  absl::StrAppend(&out, "</div></div>");
  return out;
}

std::string Hidden(const HiddenFields& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    absl::StrAppend(&out, "<input type=\"hidden\" name=\"", EscapeHtml(name), "\" value=\"",
                    EscapeHtml(value), "\">");
  }
  return out;
}

}  // namespace

std::string EscapeHtml(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string DescribeScope(absl::string_view scope) {
  static const auto* const kWords = new absl::flat_hash_map<std::string, std::string>{
      {"email", "See your email address, full name and nickname"},
      {"badge", "See your badges"},
      {"badger", "Grant and revoke the roles its account manages"},
      {"authenticate", "Check email and password combinations"},
      {"userinfo", "See information about any user"},
      {"usercreate", "Create new user accounts"},
      {"read", "Read your data"},
      {"write", "Change your data"},
  };
  auto it = kWords->find(scope);
  if (it != kWords->end()) return it->second;
  return absl::StrCat("Use the \xE2\x80\x9C", scope, "\xE2\x80\x9D permission");
}

std::string LoginPage(const PageContext& ctx, absl::string_view message,
                      absl::string_view username) {
  std::string body = absl::StrCat(AppHeader(*ctx.client), "<h1>Sign in to continue</h1>");
  if (!message.empty()) {
    absl::StrAppend(&body, "<p class=\"error\" role=\"alert\">", EscapeHtml(message), "</p>");
  }
  absl::StrAppend(
      &body, "<form method=\"post\" action=\"/oauth/authorize/login\">", Hidden(ctx.hidden),
      "<label for=\"username\">Username</label>",
      "<input type=\"text\" id=\"username\" name=\"username\" autocomplete=\"username\" required "
      "autofocus value=\"",
      EscapeHtml(username), "\">", "<label for=\"password\">Password</label>",
      "<input type=\"password\" id=\"password\" name=\"password\" "
      "autocomplete=\"current-password\" required>",
      "<div class=\"actions\"><button class=\"primary\" type=\"submit\">Sign in</button></div>",
      "</form>");
  return Document("Sign in", body);
}

std::string ConsentPage(const PageContext& ctx, const storage::UserRecord& user) {
  const storage::ClientRecord& c = *ctx.client;
  std::string name = c.name.empty() ? c.client_id : c.name;
  std::string who = user.full_name.empty() ? user.username : user.full_name;
  std::string body = absl::StrCat(AppHeader(c), "<h1>", EscapeHtml(name),
                                  " wants to access your account</h1>");
  absl::StrAppend(&body, "<p class=\"muted\">Signed in as ", EscapeHtml(who), "</p>");
  if (ctx.scopes.empty()) {
    absl::StrAppend(&body, "<p>It asks for no particular permissions.</p>");
  } else {
    absl::StrAppend(&body, "<p>It will be able to:</p><ul class=\"scopes\">");
    for (const auto& s : ctx.scopes) {
      absl::StrAppend(&body, "<li>", EscapeHtml(DescribeScope(s)), " <span class=\"muted\">(",
                      EscapeHtml(s), ")</span></li>");
    }
    absl::StrAppend(&body, "</ul>");
  }
  absl::StrAppend(&body, "<form method=\"post\" action=\"/oauth/authorize/consent\">",
                  Hidden(ctx.hidden),
                  "<div class=\"actions\"><button class=\"primary\" type=\"submit\" "
                  "name=\"decision\" value=\"allow\">Allow</button>",
                  "<button class=\"secondary\" type=\"submit\" name=\"decision\" "
                  "value=\"deny\">Deny</button></div></form>");
  return Document("Authorize " + name, body);
}

std::string ErrorPage(absl::string_view title, absl::string_view message) {
  return Document(title, absl::StrCat("<h1>", EscapeHtml(title), "</h1><p class=\"error\" role=\"alert\">",
                                      EscapeHtml(message), "</p>"));
}

}  // namespace tokend::http
