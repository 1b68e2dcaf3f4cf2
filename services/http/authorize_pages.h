// The server-rendered pages of the authorization code flow: login, consent
// and error. Plain HTML and CSS, no JavaScript; every value is escaped.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "storage/records.h"

namespace tokend::http {

// Fields every form carries back (the authorization request and the CSRF
// token), as name/value pairs.
using HiddenFields = std::vector<std::pair<std::string, std::string>>;

// What the pages show about the application and the request.
struct PageContext {
  const storage::ClientRecord* client = nullptr;
  std::vector<std::string> scopes;
  HiddenFields hidden;
};

// `message` is shown above the form (a failed attempt); `username` refills it.
std::string LoginPage(const PageContext& ctx, absl::string_view message,
                      absl::string_view username);
std::string ConsentPage(const PageContext& ctx, const storage::UserRecord& user);
std::string ErrorPage(absl::string_view title, absl::string_view message);

// A scope in words for the consent page.
std::string DescribeScope(absl::string_view scope);

// HTML text/attribute escaping.
std::string EscapeHtml(absl::string_view text);

}  // namespace tokend::http
