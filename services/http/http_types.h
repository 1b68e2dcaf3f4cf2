// The Beast message types the bridge passes around, and short names for the
// Boost namespaces (`tokend::http` would shadow `boost::beast::http`).
#pragma once

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "absl/strings/string_view.h"

namespace tokend::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

using Request = bhttp::request<bhttp::string_body>;
using Response = bhttp::response<bhttp::string_body>;

// A header the bridge sets on every request it reads (replacing any the
// client sent) to the peer's IP address.
inline constexpr char kPeerAddressField[] = "X-Tokend-Peer-Address";

inline absl::string_view ToAbsl(beast::string_view s) { return {s.data(), s.size()}; }

}  // namespace tokend::http
